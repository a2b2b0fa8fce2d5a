import * as fs from 'node:fs';
import { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { pipeline } from 'node:stream/promises';
import * as zlib from 'node:zlib';
import type { BulkLoadSource } from '../warehouse';
import { csvRecords } from './snowflake-csv-records';

/**
 * Rewrites a raw CSV / NDJSON file, in one streaming pass, into the exact shape of the bronze raw
 * table — the contract's columns in order, then `_line`, `_error`, `_raw` — as a gzip CSV in which
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
}

export async function prepareRawFile(src: BulkLoadSource, columns: readonly string[], outPath: string): Promise<PreparedRawFile> {
  const result: PreparedRawFile = { rows: 0, fileColumns: [] };
  // Error texts follow DuckDB's reject messages, so audits read the same on both warehouses.
  const lines = src.format === 'csv' ? csvLines(src, columns, result) : ndjsonLines(src, columns, result);
  await pipeline(Readable.from(batched(lines)), zlib.createGzip({ level: 1 }), fs.createWriteStream(outPath));
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
  const bytes: AsyncIterable<Buffer> = src.compression === 'gzip' ? file.pipe(zlib.createGunzip()) : file;
  const decoder = new StringDecoder('utf8');
  for await (const chunk of bytes) yield decoder.write(chunk);
  const rest = decoder.end();
  if (rest) yield rest;
}

/** One output line: values quoted ("" escapes), NULL as an empty unquoted field. */
function outLine(values: ReadonlyArray<string | null>): string {
  return values.map((v) => (v === null || v === '' ? '' : `"${v.replace(/"/g, '""')}"`)).join(',') + '\n';
}

async function* csvLines(src: BulkLoadSource, columns: readonly string[], result: PreparedRawFile): AsyncGenerator<string> {
  let header: string[] | undefined;
  let positions: number[] = [];
  for await (const rec of csvRecords(input(src))) {
    if (!header) {
      header = rec.fields.map((h, i) => (i === 0 ? h.replace(/^\uFEFF/, '') : h).trim());
      result.fileColumns = header;
      positions = columns.map((c) => header!.indexOf(c));
      continue;
    }
    if (rec.fields.length === 1 && rec.fields[0] === '' && !rec.error) continue; // blank line
    const width = rec.fields.length === header.length ? null : `${rec.fields.length > header.length ? 'TOO MANY COLUMNS' : 'MISSING COLUMNS'}: Expected Number of Columns: ${header.length} Found: ${rec.fields.length}`;
    const error = rec.error ?? width;
    const values = error ? columns.map(() => null) : positions.map((i) => (i < 0 ? null : rec.fields[i]));
    result.rows++;
    yield outLine([...values, String(rec.line), error, error ? rec.raw : null]);
  }
}

async function* ndjsonLines(src: BulkLoadSource, columns: readonly string[], result: PreparedRawFile): AsyncGenerator<string> {
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
    return outLine([...columns.map((c) => jsonText(rec[c])), String(line), null, null]);
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
