import * as fs from 'node:fs';
import * as zlib from 'node:zlib';
import type { DuckDBConnection } from '@duckdb/node-api';
import type { BulkLoadSource, RawColumn, RawLoadResult } from '../warehouse';
import { assertIdentifier } from '../warehouse';
import { mapFileColumns, rawColumn, rawValueColumns } from '../raw-columns';
import { settleCsvRejects } from './duckdb-csv-rejects';

/**
 * Reads a raw file straight into a table of VARCHAR columns (see Warehouse.loadRawFile).
 * CSV: DuckDB's parallel reader with an explicit dialect (no sniffing surprises) and
 * store_rejects, so malformed lines become rows with `_error` instead of failing the file
 * (duckdb-csv-rejects.ts, which also recovers the lines an unbalanced quote swallowed).
 * NDJSON: read line by line as text and picked apart with JSON functions, so a broken line is
 * one rejected row, not a failed load. Parquet: columns cast to VARCHAR.
 */
export async function loadRawFile(c: DuckDBConnection, table: string, src: BulkLoadSource, declared: readonly (string | RawColumn)[]): Promise<RawLoadResult> {
  assertIdentifier(table);
  const columns = declared.map(rawColumn);
  const params = { path: src.path };
  if (fs.statSync(src.path).size === 0) {
    await c.run(
      `create or replace table ${table} as select ${columns.map((col) => `null::varchar as "${col.name}"`).join(', ')}, 0::bigint as _line, null::varchar as _error, null::varchar as _raw limit 0`,
    );
    return { rows: 0, fileColumns: [] };
  }
  if (src.format === 'ndjson') return loadNdjson(c, table, src, columns);
  // File column names are input: they never reach SQL text. Columns are read by position
  // (CSV: c0, c1, …; Parquet: #1, #2, …) and mapped to declared names (or _extra_<i>) here.
  const fileColumns =
    src.format === 'csv'
      ? await readCsvHeader(src)
      : (await c.runAndReadAll(`select column_name from (describe select * from read_parquet($path))`, params))
          .getRowObjectsJS()
          .map((r) => String(r.column_name));
  const map = mapFileColumns(fileColumns, columns);
  const at = (i: number) => (src.format === 'csv' ? `c${i}` : `cast(#${i + 1} as varchar)`);
  const select = [
    ...columns.map((col, k) => (map.positions[k] < 0 ? `null::varchar as "${col.name}"` : `${at(map.positions[k])} as "${col.name}"`)),
    ...map.layout.flatMap((l, i) => (l.column.startsWith('_extra_') ? [`${at(i)} as "${l.column}"`] : [])),
  ].join(', ');
  const reader = src.format === 'csv' ? csvReader(src, fileColumns.length) : `read_parquet($path)`;
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
    await settleCsvRejects(c, table, rawValueColumns(columns, map), src, fileColumns.length, (plain) =>
      read(csvReader({ ...src, path: plain, compression: 'none' }, fileColumns.length), plain),
    );
  const count = await c.runAndReadAll(`select count(*)::integer as n from ${table}`);
  return { rows: Number(count.getRowObjectsJS()[0].n), fileColumns, layout: map.layout };
}

function csvReader(src: BulkLoadSource, width: number): string {
  const cols = Array.from({ length: Math.max(width, 1) }, (_, i) => `'c${i}': 'VARCHAR'`).join(', ');
  return `read_csv($path, header = true, auto_detect = false, columns = {${cols}}, delim = '${delimiterOf(src)}', quote = '"', escape = '"', compression = '${src.compression === 'gzip' ? 'gzip' : 'none'}', max_line_size = 10000000, store_rejects = true, rejects_table = '_rj', rejects_scan = '_rs', rejects_limit = 0)`;
}

/** The CSV delimiter as a DuckDB literal's body: one of the few the contracts allow. */
function delimiterOf(src: BulkLoadSource): string {
  const d = src.delimiter ?? ',';
  if (![',', ';', '\t', '|'].includes(d)) throw new Error(`unsupported CSV delimiter ${JSON.stringify(d)}`);
  return d;
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
  const delimiter = src.delimiter ?? ',';
  if (opensUnclosedQuote(line, delimiter)) throw new Error('the header line has an unbalanced quote');
  return parseCsvLine(line, delimiter).map((h) => h.trim());
}

/** Whether a field of this line opens a quote the line does not close (as DuckDB reads it: a quote opens only at a field's start; "" is a quote inside). */
export function opensUnclosedQuote(line: string, delimiter = ','): boolean {
  let fieldStart = true;
  for (let i = 0; i < line.length; i++) {
    if (fieldStart && line[i] === '"') {
      for (i++; i < line.length && (line[i] !== '"' || line[i + 1] === '"'); i += line[i] === '"' ? 2 : 1);
      if (i >= line.length) return true;
    }
    fieldStart = line[i] === delimiter;
  }
  return false;
}

/** RFC 4180 fields of one physical line (quotes honoured, "" unescaped). */
export function parseCsvLine(line: string, delimiter = ','): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (quoted && ch === '"' && line[i + 1] === '"') {
      cur += '"';
      i++;
    } else if (ch === '"') quoted = !quoted;
    else if (ch === delimiter && !quoted) {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  out.push(cur);
  return out;
}

async function loadNdjson(c: DuckDBConnection, table: string, src: BulkLoadSource, columns: readonly RawColumn[]): Promise<RawLoadResult> {
  const params = { path: src.path };
  const lines = `read_csv($path, header = false, columns = {'line': 'VARCHAR'}, delim = chr(1), quote = '', escape = '', auto_detect = false, compression = '${src.compression === 'gzip' ? 'gzip' : 'none'}', max_line_size = 10000000)`;
  // A column takes the first of its keys with a value (JSON pointers: any key text, ~ and / escaped).
  const pointer = (key: string) => `'/${key.replace(/~/g, '~0').replace(/\//g, '~1').replace(/'/g, "''")}'`;
  const fields = columns
    .map((col) => {
      const values = col.headers.map((h) => `json_extract_string(line, ${pointer(h)})`);
      return `case when _ok then ${values.length === 1 ? values[0] : `coalesce(${values.join(', ')})`} end as "${col.name}"`;
    })
    .join(', ');
  // Every line is kept as read (`_raw`): a quarantined row shows the record exactly as delivered.
  await c.run(
    `create or replace table ${table} as
    select ${fields}, _line, case when not _ok then 'not valid JSON' end as _error, line as _raw
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
