import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { StringDecoder } from 'node:string_decoder';
import { pipeline } from 'node:stream/promises';
import type { BulkLoadSource } from '../warehouse';
// The scan is plain Node (no DuckDB): it holds DuckDB's quoting rules, which both loaders follow.
import { findUnbalancedQuoteLines, type UnbalancedQuoteLine } from '../duckdb/csv-quote-scan';
import type { UnbalancedLine } from './snowflake-csv-records';

const CR = 0x0d;

/**
 * The second read of a CSV file in which a quote broke a record (issue #9), as DuckDB's loader
 * does it (duckdb-csv-rejects.ts): the quote scan finds each line that opens a quote which runs
 * past the line and breaks its record, and `read` gets the file's text with each such line cut
 * out and put in its place as an UnbalancedLine, so every other line is parsed on its own.
 * A gzip file is first unpacked next to the output (`tmpDir`), since the scan and the cut read
 * by byte position; the copy is removed afterwards. Nothing holds more than a chunk or a line.
 */
export async function readWithUnbalancedLinesCut<T>(
  src: BulkLoadSource,
  tmpDir: string,
  width: number,
  read: (pieces: AsyncIterable<string | UnbalancedLine>) => Promise<T>,
): Promise<T> {
  let file = src.path;
  try {
    if (src.compression === 'gzip') {
      file = path.join(tmpDir, 'plain.csv');
      await pipeline(fs.createReadStream(src.path), zlib.createGunzip(), fs.createWriteStream(file));
    }
    const bad = await findUnbalancedQuoteLines(file, width, src.delimiter);
    return await read(piecesWithout(file, bad));
  } finally {
    if (file !== src.path) await fs.promises.rm(file, { force: true });
  }
}

/** The file as text, with each bad line (and its line break) replaced by an UnbalancedLine. */
async function* piecesWithout(file: string, bad: readonly UnbalancedQuoteLine[]): AsyncGenerator<string | UnbalancedLine> {
  const decoder = new StringDecoder('utf8');
  const text = async function* (start: number, end?: number): AsyncGenerator<string> {
    if (end !== undefined && end <= start) return;
    for await (const chunk of fs.createReadStream(file, { start, end: end === undefined ? undefined : end - 1, highWaterMark: 256 * 1024 })) {
      yield decoder.write(chunk as Buffer);
    }
  };
  const fh = await fs.promises.open(file, 'r');
  try {
    let at = 0;
    for (const line of bad) {
      yield* text(at, line.start);
      // A bad line always ends before a line break (the one its quote ran past): read it too.
      const buf = Buffer.alloc(line.end - line.start + 1);
      await fh.read(buf, 0, buf.length, line.start);
      yield { unbalanced: buf.subarray(0, buf.length - 1).toString('utf8') };
      at = line.end + (buf[buf.length - 1] === CR ? 2 : 1);
    }
    yield* text(at);
    const rest = decoder.end();
    if (rest) yield rest;
  } finally {
    await fh.close();
  }
}
