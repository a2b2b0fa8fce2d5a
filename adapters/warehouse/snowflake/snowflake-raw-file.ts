import * as fs from 'node:fs';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { pipeline } from 'node:stream/promises';
import * as zlib from 'node:zlib';
import type { BulkLoadSource, RawColumn, RawLoadResult } from '../warehouse';
import { mapFileColumns } from '../raw-columns';
import { csvRecords, PendingRecordTooLong, type UnbalancedLine } from './snowflake-csv-records';
import { readWithUnbalancedLinesCut } from './snowflake-csv-quotes';

/**
 * Rewrites a raw CSV / NDJSON file, in one streaming pass (two after an unbalanced quote), into the exact shape of the bronze raw
 * table — the contract's columns in order (each from its header or an alias), the file's other
 * columns (CSV: `_extra_<i>`), then `_line`, `_error`, `_raw` (NDJSON: every line) — as a gzip CSV in which
 * every value is quoted and NULL is an empty unquoted field (an empty field loads as NULL, as in
 * DuckDB's reader). COPY INTO then has nothing left to
 * interpret: no header matching, no ragged rows, no ON_ERROR, no VALIDATE().
 *
 * Why not COPY the original file with ON_ERROR = CONTINUE and collect rejects with VALIDATE()?
 * Because then `_line`, `_error` and missing/extra-column handling would differ from DuckDB's
 * loader, and that path cannot be exercised against the emulator (fakesnow supports neither
 * ON_ERROR = CONTINUE nor VALIDATE). This way the code path the tests run is the production one,
 * and the rows are identical on both warehouses. It is one sequential read of a file the worker
 * has on local disk anyway; the load itself stays a bulk COPY.
 */
export interface PreparedRawFile {
  rows: number;
  fileColumns: string[];
  /** CSV: each file column and the raw-table column holding it (declared, or `_extra_<i>`). */
  layout?: RawLoadResult['layout'];
}

/**
 * An unbalanced quote (issue #9): a value that opens a quote its line does not close runs on over
 * the following lines. The first read stops at the first record that shows it — one that spans
 * lines and is broken or of the wrong width, or that grows past MAX_PENDING characters (rather
 * than holding the rest of a large file) — and the file is read again with the bad lines cut
 * out (snowflake-csv-quotes.ts): each is one quarantined row with its own text and line, and the
 * lines after it load on their own. Files without such a quote are read once.
 */
const MAX_PENDING = 10_000_000; // DuckDB's max_line_size in its loader
class QuoteTrouble extends Error {
  constructor(readonly width: number) {
    super('a quote in this CSV file breaks its record');
  }
}

export async function prepareRawFile(src: BulkLoadSource, columns: readonly RawColumn[], outPath: string): Promise<PreparedRawFile> {
  // Error texts follow DuckDB's reject messages, so audits read the same on both warehouses.
  if (src.format !== 'csv') return writePrepared(outPath, (result) => ndjsonLines(src, columns, result));
  try {
    return await writePrepared(outPath, (result) => csvLines(input(src), columns, result, true, src.delimiter));
  } catch (err) {
    if (!(err instanceof QuoteTrouble)) throw err;
    return readWithUnbalancedLinesCut(src, path.dirname(outPath), err.width, (pieces) =>
      writePrepared(outPath, (result) => csvLines(pieces, columns, result, false, src.delimiter)),
    );
  }
}

async function writePrepared(outPath: string, lines: (result: PreparedRawFile) => AsyncIterable<string>): Promise<PreparedRawFile> {
  const result: PreparedRawFile = { rows: 0, fileColumns: [] };
  await pipeline(Readable.from(batched(lines(result))), zlib.createGzip({ level: 1 }), fs.createWriteStream(outPath));
  return result;
}

/** Joins lines into ~256 KB strings: one stream write per line would dominate the run time. */
async function* batched(lines: AsyncIterable<string>): AsyncGenerator<string> {
  let out = '';
  for await (const l of lines) {
    out += l;
    if (out.length >= 256 * 1024) {
      yield out;
      out = '';
    }
  }
  if (out) yield out;
}

/** The file as text chunks (a UTF-8 character split across chunks is kept whole). */
async function* input(src: BulkLoadSource): AsyncGenerator<string> {
  const file = fs.createReadStream(src.path, { highWaterMark: 256 * 1024 });
  let bytes: AsyncIterable<Buffer> = file;
  if (src.compression === 'gzip') {
    // pipeline, not pipe: when the reader stops early the file is closed too (its errors reach the reader through the gunzip).
    const gunzip = zlib.createGunzip();
    pipeline(file, gunzip).catch(() => undefined);
    bytes = gunzip;
  }
  const decoder = new StringDecoder('utf8');
  for await (const chunk of bytes) yield decoder.write(chunk);
  const rest = decoder.end();
  if (rest) yield rest;
}

/** One output line: values quoted ("" escapes), NULL as an empty unquoted field. */
function outLine(values: ReadonlyArray<string | null>): string {
  return values.map((v) => (v === null || v === '' ? '' : `"${v.replace(/"/g, '""')}"`)).join(',') + '\n';
}

/** `firstRead`: stop with QuoteTrouble at a record an unbalanced quote broke (see above). */
async function* csvLines(
  pieces: AsyncIterable<string | UnbalancedLine>,
  columns: readonly RawColumn[],
  result: PreparedRawFile,
  firstRead: boolean,
  delimiter = ',',
): AsyncGenerator<string> {
  let header: string[] | undefined;
  let positions: number[] = [];
  try {
    for await (const rec of csvRecords(pieces, firstRead ? MAX_PENDING : Infinity, delimiter)) {
      if (!header) {
        // As in DuckDB's loader, where such a header would swallow the file and load nothing.
        if (rec.spansLines) throw new Error('the header line has an unbalanced quote');
        header = rec.fields.map((h, i) => (i === 0 ? h.replace(/^\uFEFF/, '') : h).trim());
        result.fileColumns = header;
        // Declared columns (by header or alias), then the file's other columns as _extra_<i>.
        const map = mapFileColumns(header, columns);
        result.layout = map.layout;
        positions = [...map.positions, ...map.layout.flatMap((l, i) => (l.column.startsWith('_extra_') ? [i] : []))];
        continue;
      }
      if (rec.fields.length === 1 && rec.fields[0] === '' && !rec.error) continue; // blank line
      const width =
        rec.fields.length === header.length
          ? null
          : `${rec.fields.length > header.length ? 'TOO MANY COLUMNS' : 'MISSING COLUMNS'}: Expected Number of Columns: ${header.length} Found: ${rec.fields.length}`;
      const error = rec.error ?? width;
      // After the cut a record like this should not be left; if one is, it is quarantined whole.
      if (firstRead && error && rec.spansLines) throw new QuoteTrouble(header.length);
      const values = error ? positions.map(() => null) : positions.map((i) => (i < 0 ? null : rec.fields[i]));
      result.rows++;
      yield outLine([...values, String(rec.line), error, error ? rec.raw : null]);
    }
  } catch (err) {
    if (!(err instanceof PendingRecordTooLong)) throw err;
    if (!header) throw new Error('the header line has an unbalanced quote');
    throw new QuoteTrouble(header.length);
  }
}

async function* ndjsonLines(src: BulkLoadSource, columns: readonly RawColumn[], result: PreparedRawFile): AsyncGenerator<string> {
  const keys = new Set<string>();
  let pending = '';
  let line = 0;
  const emit = (text: string): string | undefined => {
    line++;
    const raw = text.replace(/\r$/, '');
    if (raw.trim() === '') return undefined;
    let obj: unknown;
    try {
      obj = JSON.parse(raw);
    } catch {
      obj = undefined;
    }
    result.rows++;
    if (!obj || typeof obj !== 'object' || Array.isArray(obj)) return outLine([...columns.map(() => null), String(line), 'not valid JSON', raw]);
    const rec = obj as Record<string, unknown>;
    Object.keys(rec).forEach((k) => keys.add(k));
    // A column takes the first of its keys with a value; the line is kept as read (`_raw`).
    return outLine([...columns.map((c) => jsonText(c.headers.map((h) => rec[h]).find((v) => v !== undefined && v !== null))), String(line), null, raw]);
  };
  for await (const chunk of input(src)) {
    pending += chunk;
    const parts = pending.split('\n');
    pending = parts.pop() ?? '';
    for (const p of parts) {
      const out = emit(p);
      if (out) yield out;
    }
  }
  const last = pending ? emit(pending) : undefined;
  if (last) yield last;
  result.fileColumns = [...keys];
}

/** Like DuckDB's json_extract_string: strings as-is, other scalars as JSON text, null → NULL. */
function jsonText(v: unknown): string | null {
  if (v === undefined || v === null) return null;
  return typeof v === 'string' ? v : JSON.stringify(v);
}
