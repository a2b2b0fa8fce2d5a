import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { BulkLoadSource, RawColumn, RawLoadResult, Session } from '../warehouse';
import { assertIdentifier } from '../warehouse';
import { rawColumn } from '../raw-columns';
import { prepareRawFile } from './snowflake-raw-file';

/**
 * Warehouse.loadRawFile for Snowflake: stage the file with PUT into the internal stage
 * `staging.raw_load` (created on open) and bulk-load it with COPY INTO — never row by row.
 * CSV/NDJSON are first rewritten into the raw table's exact shape (snowflake-raw-file.ts);
 * Parquet is copied as one VARIANT per row and its fields picked out with SQL.
 * Column names are quoted upper case: what an unquoted lowercase name resolves to in Snowflake,
 * but safe for reserved words (`order`, `date`).
 */
export const RAW_STAGE = 'staging.raw_load';

export function upper(col: string): string {
  return `"${col.toUpperCase()}"`;
}

export async function loadRawFileSnowflake(s: Session, table: string, src: BulkLoadSource, declared: readonly (string | RawColumn)[]): Promise<RawLoadResult> {
  assertIdentifier(table);
  const columns = declared.map(rawColumn);
  columns.forEach((c) => assertIdentifier(c.name));
  const folder = randomUUID(); // one stage folder per load: concurrent loads never see each other's files
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'dag-sf-load-'));
  const create = async (names: readonly string[]) => {
    const typed = [...names.map((c) => `${upper(c)} varchar`), '"_LINE" number(38,0)', '"_ERROR" varchar', '"_RAW" varchar'].join(', ');
    await s.exec(`create or replace table ${table} (${typed})`);
  };
  try {
    if (src.format === 'parquet') {
      await create(columns.map((c) => c.name));
      const copy = path.join(tmp, 'raw.parquet'); // a path we chose, so PUT's file URL is ours
      fs.copyFileSync(src.path, copy);
      return await loadParquet(s, table, copy, columns, folder);
    }
    const staged = path.join(tmp, 'raw.csv.gz');
    const prepared = await prepareRawFile(src, columns, staged);
    // The table's shape follows the prepared file: declared columns, then the file's extra ones.
    await create([...columns.map((c) => c.name), ...(prepared.layout ?? []).filter((l) => l.column.startsWith('_extra_')).map((l) => l.column)]);
    if (prepared.rows > 0) {
      await put(s, staged, folder, 'gzip');
      await s.exec(
        `copy into ${table} from @${RAW_STAGE}/${folder}/
         file_format = (type = csv field_optionally_enclosed_by = '"' compression = gzip null_if = () escape_unenclosed_field = none)
         purge = true`,
      );
    }
    return { rows: await count(s, table), fileColumns: prepared.fileColumns, layout: prepared.layout };
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

async function put(s: Session, file: string, folder: string, compression: 'gzip' | 'none'): Promise<void> {
  // The path is ours (mkdtemp + fixed name), never input; PUT takes no bind for it.
  const url = `file://${file.replace(/\\/g, '/')}`;
  if (/['\s]/.test(url)) throw new Error(`staging path has quotes or spaces: ${url}`);
  const rows = await s.query<{ status?: string; message?: string }>(
    `put ${url} @${RAW_STAGE}/${folder}/ auto_compress = false source_compression = ${compression} overwrite = true`,
  );
  const failed = rows.find((r) => r.status !== 'UPLOADED' && r.status !== 'SKIPPED');
  if (failed) throw new Error(`PUT to @${RAW_STAGE} failed: ${failed.message ?? failed.status}`);
}

async function count(s: Session, table: string): Promise<number> {
  const [row] = await s.query<{ n: number }>(`select count(*) as n from ${table}`);
  return Number(row.n);
}

/**
 * Parquet: COPY into one VARIANT column per row, then pick fields by (case-sensitive) name — each
 * column from the first of its names (aliases) with a value; the whole row is kept as JSON in
 * `_raw` for quarantine records.
 */
async function loadParquet(s: Session, table: string, file: string, columns: readonly RawColumn[], folder: string): Promise<RawLoadResult> {
  const landing = `${table}__parquet`;
  assertIdentifier(landing);
  await put(s, file, folder, 'none');
  // A plain table dropped afterwards, not a TEMPORARY one: fakesnow cannot put temporary tables in
  // a schema, and the name is unique to this raw table, whose load replaces it anyway.
  await s.exec(`create or replace table ${landing} (v variant)`);
  try {
    await s.exec(`copy into ${landing} from @${RAW_STAGE}/${folder}/ file_format = (type = parquet) purge = true`);
    // A path of one quoted key (so dots or spaces in it are not path syntax). Header names come
    // from the contract (checked: no double quotes or backslashes), and ' is escaped all the same.
    const field = (h: string) => `get_path(v, '"${h.replace(/'/g, "''")}"')`;
    // Each name cast on its own: a JSON null (a VARIANT null, not an SQL NULL) must not win over an alias with a value.
    const fields = columns
      .map(
        (c) =>
          `${c.headers.length === 1 ? `${field(c.headers[0])}::varchar` : `coalesce(${c.headers.map((h) => `${field(h)}::varchar`).join(', ')})`} as ${upper(c.name)}`,
      )
      .join(', ');
    await s.exec(`insert into ${table} select ${fields}, row_number() over (order by null), null, to_json(v) from ${landing}`);
    // Variant keys come back sorted by name, not in the file's column order.
    const keys = await s.query<{ k: string }>(`select distinct f.key as k from ${landing}, lateral flatten(input => v) f order by k`);
    return { rows: await count(s, table), fileColumns: keys.map((r) => r.k) };
  } finally {
    await s.exec(`drop table if exists ${landing}`);
  }
}
