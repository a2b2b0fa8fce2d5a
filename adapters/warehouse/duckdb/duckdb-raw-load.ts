import * as fs from 'node:fs';
import * as zlib from 'node:zlib';
import type { DuckDBConnection } from '@duckdb/node-api';
import type { BulkLoadSource, RawLoadResult } from '../warehouse';
import { assertIdentifier } from '../warehouse';
import { settleCsvRejects } from './duckdb-csv-rejects';

/**
 * Reads a raw file straight into a table of VARCHAR columns (see Warehouse.loadRawFile).
 * CSV: DuckDB's parallel reader with an explicit dialect (no sniffing surprises) and
 * store_rejects, so malformed lines become rows with `_error` instead of failing the file
 * (duckdb-csv-rejects.ts, which also recovers the lines an unbalanced quote swallowed).
 * NDJSON: read line by line as text and picked apart with JSON functions, so a broken line is
 * one rejected row, not a failed load. Parquet: columns cast to VARCHAR.
 */
export async function loadRawFile(c: DuckDBConnection, table: string, src: BulkLoadSource, columns: readonly string[]): Promise<RawLoadResult> {
  assertIdentifier(table);
  columns.forEach((col) => assertIdentifier(col));
  const params = { path: src.path };
  if (fs.statSync(src.path).size === 0) {
    await c.run(
      `create or replace table ${table} as select ${columns.map((col) => `null::varchar as "${col}"`).join(', ')}, 0::bigint as _line, null::varchar as _error, null::varchar as _raw limit 0`,
    );
    return { rows: 0, fileColumns: [] };
  }
  if (src.format === 'ndjson') return loadNdjson(c, table, src, columns);
  // File column names are input: they never reach SQL text. CSV columns are read by position
  // (c0, c1, …) and mapped to contract names here; Parquet names are compared, not spliced.
  const fileColumns =
    src.format === 'csv'
      ? await readCsvHeader(src)
      : (await c.runAndReadAll(`select name from parquet_schema($path) where num_children is null or num_children = 0`, params))
          .getRowObjectsJS()
          .map((r) => String(r.name));
  const reader = src.format === 'csv' ? csvReader(src, fileColumns.length) : `read_parquet($path)`;
  const select = columns
    .map((col) => {
      const i = fileColumns.indexOf(col);
      if (i < 0) return `null::varchar as "${col}"`;
      return src.format === 'csv' ? `c${i} as "${col}"` : `cast("${col}" as varchar) as "${col}"`;
    })
    .join(', ');
  // _line assumes one line per row (header = line 1); corrected below when lines were rejected.
  const firstLine = src.format === 'csv' ? 2 : 1;
  const read = async (from: string, path: string) => {
    await c.run(
      `create or replace table ${table} as select ${select}, row_number() over () + ${firstLine - 1} as _line, null::varchar as _error, null::varchar as _raw from ${from}`,
      { path },
    );
  };
  await read(reader, src.path);
  if (src.format === 'csv')
    await settleCsvRejects(c, table, columns, src, fileColumns.length, (plain) =>
      read(csvReader({ ...src, path: plain, compression: 'none' }, fileColumns.length), plain),
    );
  const count = await c.runAndReadAll(`select count(*)::integer as n from ${table}`);
  return { rows: Number(count.getRowObjectsJS()[0].n), fileColumns };
}

function csvReader(src: BulkLoadSource, width: number): string {
  const cols = Array.from({ length: Math.max(width, 1) }, (_, i) => `'c${i}': 'VARCHAR'`).join(', ');
  return `read_csv($path, header = true, auto_detect = false, columns = {${cols}}, delim = ',', quote = '"', escape = '"', compression = '${src.compression === 'gzip' ? 'gzip' : 'none'}', max_line_size = 10000000, store_rejects = true, rejects_table = '_rj', rejects_scan = '_rs', rejects_limit = 0)`;
}

/** The header line, read in Node (BOM stripped, quotes honoured) so no sniffing is involved. */
async function readCsvHeader(src: BulkLoadSource): Promise<string[]> {
  let stream: NodeJS.ReadableStream = fs.createReadStream(src.path, { highWaterMark: 64 * 1024 });
  if (src.compression === 'gzip') stream = stream.pipe(zlib.createGunzip());
  let text = '';
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    text += chunk.toString('utf8');
    if (text.includes('\n') || text.length > 1_000_000) break;
  }
  (stream as unknown as { destroy?: () => void }).destroy?.();
  const line = text.split(/\r?\n/)[0].replace(/^\uFEFF/, '');
  // DuckDB would skip a "header" that runs on in quoted mode through the whole file: no rows, no rejects.
  if (opensUnclosedQuote(line)) throw new Error('the header line has an unbalanced quote');
  return parseCsvLine(line).map((h) => h.trim());
}

/** Whether a field of this line opens a quote the line does not close (as DuckDB reads it: a quote opens only at a field's start; "" is a quote inside). */
export function opensUnclosedQuote(line: string): boolean {
  let fieldStart = true;
  for (let i = 0; i < line.length; i++) {
    if (fieldStart && line[i] === '"') {
      for (i++; i < line.length && (line[i] !== '"' || line[i + 1] === '"'); i += line[i] === '"' ? 2 : 1);
      if (i >= line.length) return true;
    }
    fieldStart = line[i] === ',';
  }
  return false;
}

/** RFC 4180 fields of one physical line (quotes honoured, "" unescaped). */
export function parseCsvLine(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (quoted && ch === '"' && line[i + 1] === '"') {
      cur += '"';
      i++;
    } else if (ch === '"') quoted = !quoted;
    else if (ch === ',' && !quoted) {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  out.push(cur);
  return out;
}

async function loadNdjson(c: DuckDBConnection, table: string, src: BulkLoadSource, columns: readonly string[]): Promise<RawLoadResult> {
  const params = { path: src.path };
  const lines = `read_csv($path, header = false, columns = {'line': 'VARCHAR'}, delim = chr(1), quote = '', escape = '', auto_detect = false, compression = '${src.compression === 'gzip' ? 'gzip' : 'none'}', max_line_size = 10000000)`;
  const fields = columns.map((col) => `case when _ok then json_extract_string(line, '$.${col}') end as "${col}"`).join(', ');
  await c.run(
    `create or replace table ${table} as
    select ${fields}, _line, case when not _ok then 'not valid JSON' end as _error, case when not _ok then line end as _raw
    from (select line, row_number() over () as _line, coalesce(case when json_valid(line) then json_type(line) = 'OBJECT' end, false) as _ok from ${lines})
    where line is not null and trim(line) <> ''`,
    params,
  );
  const keys = await c.runAndReadAll(
    `select k from (select unnest(json_keys(line)) as k, row_number() over () as n from ${lines} where case when json_valid(line) then json_type(line) = 'OBJECT' else false end) group by k order by min(n)`,
    params,
  );
  const count = await c.runAndReadAll(`select count(*)::integer as n from ${table}`);
  return { rows: Number(count.getRowObjectsJS()[0].n), fileColumns: keys.getRowObjectsJS().map((r) => String(r.k)) };
}
