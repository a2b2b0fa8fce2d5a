import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { pipeline } from 'node:stream/promises';
import type { DuckDBConnection } from '@duckdb/node-api';
import type { BulkLoadSource } from '../warehouse';
import { findUnbalancedQuoteLines, UNBALANCED_QUOTE, type UnbalancedQuoteLine } from './csv-quote-scan';

/**
 * What becomes of the lines DuckDB's CSV reader rejected (store_rejects → temp table `_rj`).
 *
 * Usually a reject is one line, and mergeRejects makes it a row with `_error`/`_raw`.
 *
 * An unbalanced quote is different: a value that opens a quote and does not close it on its line
 * makes the reader carry on in quoted mode across line breaks. In DuckDB 1.5 the record then
 * runs to the end of the file (one UNQUOTED VALUE reject; nothing more is parsed, even in a
 * parallel read of a large file), or a later quote closes it followed by something other than
 * `,` or a line break (e.g. the opening quote of a later `"{""a"": 1}"`), and the swallowed
 * stretch is rejected as one record. Either way valid lines would be lost to quarantine, and the
 * reject's csv_line and byte positions cannot be trusted to find the bad line (they sometimes
 * name the line before it, or are empty). So when the rejects show quote trouble, the file is
 * scanned in Node for the lines that open such a quote (csv-quote-scan.ts), each is replaced by a
 * placeholder that the reader rejects as one line, and the cleaned copy is read again: every other
 * line is parsed on its own and keeps its line number, and the placeholder's reject row gets the
 * bad line's text and reason. (Should the reader still find quote trouble in the cleaned copy,
 * its rejects are merged as they are: quarantined, not dropped.) Files without such rejects pay
 * nothing; a file with them pays a Node scan (~300 MB/s), a copy and a second read.
 *
 * A stray quote that DuckDB accepts is left as DuckDB reads it: if the quote that closes the
 * value is followed by `,` or a line break (`x",` on a later line) and the record has the right
 * number of fields, the swallowed lines are valid RFC 4180 — one multi-line quoted value, the
 * same bytes as a genuine one — and there is no reject. Nothing is dropped: the lines stay inside
 * that value, and the contract checks usually quarantine the row (a timestamp or URL holding
 * several lines) with the whole text as its raw record.
 *
 * Line numbers are DuckDB's: records and blank lines, header = 1.
 */

/** After a CSV read into `table`: rejected lines merged in, lines swallowed by an unbalanced quote recovered. */
export async function settleCsvRejects(
  c: DuckDBConnection,
  table: string,
  columns: readonly string[],
  src: BulkLoadSource,
  width: number,
  reread: (plainFile: string) => Promise<void>,
): Promise<void> {
  if ((await rejectedLines(c)) === 0) return;
  if (await quoteTrouble(c)) {
    const dir = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'dag-csv-'));
    try {
      let file = src.path;
      if (src.compression === 'gzip') {
        file = path.join(dir, 'plain.csv');
        await pipeline(fs.createReadStream(src.path), zlib.createGunzip(), fs.createWriteStream(file));
      }
      const bad = await findUnbalancedQuoteLines(file, width, src.delimiter);
      if (bad.length > 0) {
        const cleaned = path.join(dir, 'cleaned.csv');
        await replaceLines(file, bad, cleaned, (k) => placeholder(k, width, src.delimiter));
        await c.run(`drop table if exists _rj`);
        await c.run(`drop table if exists _rs`);
        await reread(cleaned);
        await mergeRejects(c, table, columns);
        await restoreBadLines(c, table, file, bad, width, src.delimiter);
        return;
      }
    } finally {
      await fs.promises.rm(dir, { recursive: true, force: true });
    }
  }
  await mergeRejects(c, table, columns);
}

const rejectedLines = async (c: DuckDBConnection) =>
  Number((await c.runAndReadAll(`select count(distinct line)::integer as n from _rj`)).getRowObjectsJS()[0].n);

/** A reject that a quote may have caused: UNQUOTED VALUE, or a csv_line that spans lines or is empty. */
async function quoteTrouble(c: DuckDBConnection): Promise<boolean> {
  const [row] = (
    await c.runAndReadAll(`select count(*)::integer as n from _rj
    where error_type = 'UNQUOTED VALUE' or strpos(trim(csv_line, chr(13) || chr(10)), chr(10)) > 0 or coalesce(csv_line, '') = ''`)
  ).getRowObjectsJS();
  return Number(row.n) > 0;
}

/** One line that the reader rejects as one record: too few fields, or too many when the file has one column. */
const placeholder = (k: number, width: number, delimiter = ',') => `__unbalanced_quote_line_${k}__${width === 1 ? `${delimiter}__` : ''}`;

/** Copies `file` to `dest` with each bad line's bytes replaced by its placeholder (line breaks kept). */
async function replaceLines(file: string, bad: readonly UnbalancedQuoteLine[], dest: string, text: (k: number) => string): Promise<void> {
  async function* pieces() {
    let at = 0;
    for (const [k, line] of bad.entries()) {
      if (line.start > at) yield* fs.createReadStream(file, { start: at, end: line.start - 1 });
      yield Buffer.from(text(k));
      at = line.end;
    }
    yield* fs.createReadStream(file, { start: at });
  }
  await pipeline(pieces, fs.createWriteStream(dest));
}

/**
 * The placeholders' reject rows get the bad lines' own text and the reason. A placeholder's row
 * is found by its text in `_raw` (DuckDB's csv_line, which may carry the line break before it),
 * else by the line number the scan counted (the same count as DuckDB's).
 */
async function restoreBadLines(
  c: DuckDBConnection,
  table: string,
  file: string,
  bad: readonly UnbalancedQuoteLine[],
  width: number,
  delimiter?: string,
): Promise<void> {
  await c.run(`create or replace temp table _unbalanced (placeholder varchar, line bigint, raw varchar)`);
  const fh = await fs.promises.open(file, 'r');
  try {
    for (const [k, line] of bad.entries()) {
      const buf = Buffer.alloc(line.end - line.start);
      await fh.read(buf, 0, buf.length, line.start);
      await c.run(`insert into _unbalanced values ($placeholder, $line, $raw)`, {
        placeholder: placeholder(k, width, delimiter),
        line: line.line,
        raw: buf.toString('utf8'),
      });
    }
  } finally {
    await fh.close();
  }
  await c.run(`create or replace temp table _unbalanced_at as
    select coalesce(found.line, u.line) as line, u.raw
    from _unbalanced as u
    left join (select trim(_raw, chr(13) || chr(10)) as placeholder, min(_line) as line from ${table} where _error is not null group by 1) as found using (placeholder)`);
  await c.run(`update ${table} as t set _error = $reason, _raw = u.raw from _unbalanced_at as u where t._line = u.line and t._error is not null`, {
    reason: UNBALANCED_QUOTE,
  });
}

/**
 * Rejected lines become rows with `_error`/`_raw`, and the parsed rows after each rejected line
 * move down one line. An ASOF join finds, per parsed row, how many rejects precede it. (csv_line
 * starts with the line break before it in a CRLF file or after a blank line: trimmed.)
 */
async function mergeRejects(c: DuckDBConnection, table: string, columns: readonly string[]): Promise<void> {
  await c.run(`create or replace temp table _rejects as
    select line, error, raw, row_number() over (order by line) as rejects_so_far, line - row_number() over (order by line) as parsed_before_plus_one
    from (select line, first(error_type || ': ' || error_message order by column_idx) as error, trim(first(csv_line), chr(13) || chr(10)) as raw from _rj group by line)`);
  // A parsed row with provisional line L (= ordinal + 1) follows every reject whose
  // parsed_before_plus_one (= parsed rows before it + 1) is < L.
  await c.run(`create or replace table ${table} as
    select ${columns.map((col) => `t."${col}"`).join(', ')}, t._line + coalesce(j.rejects_so_far, 0) as _line, null::varchar as _error, null::varchar as _raw
    from ${table} as t
    asof left join (select parsed_before_plus_one, max(rejects_so_far) as rejects_so_far from _rejects group by 1) as j
      on t._line > j.parsed_before_plus_one
    union all
    select ${columns.map((col) => `null::varchar as "${col}"`).join(', ')}, line, error, raw from _rejects`);
}
