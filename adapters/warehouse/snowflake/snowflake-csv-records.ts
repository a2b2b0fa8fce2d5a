// The same reason as DuckDB's loader, so quarantine reads the same on both warehouses.
import { UNBALANCED_QUOTE } from '../duckdb/csv-quote-scan';
/**
 * A streaming RFC 4180 reader (comma or another one-character delimiter, double quote, "" escape, CRLF or LF) that keeps what the
 * raw table needs: each record's fields, the file line it starts on, its raw text, and why it is
 * malformed (text after a closing quote, or a quote never closed) instead of throwing.
 * Fields are sliced out of the text with indexOf/regex jumps, not built character by character;
 * a record cut by a chunk boundary is parsed again from its start once more text has arrived.
 *
 * Quoting follows DuckDB's reader (a quote opens a value only at its start), so a quote that its
 * line does not close shows up as a record that spans lines and is broken or of the wrong width;
 * the caller then finds those lines with the quote scan and feeds them back in as
 * `UnbalancedLine`s, each one quarantined record (see snowflake-csv-quotes.ts).
 */
export interface CsvRecord {
  fields: string[];
  /** 1-based line of the file where the record starts (exact even when quoted fields span lines). */
  line: number;
  raw: string;
  error: string | null;
  /** A quoted value holds a line break: the record runs over more than one line. */
  spansLines: boolean;
}

/** A line cut out of the text because its quote breaks its record: it becomes one record of its own. */
export interface UnbalancedLine {
  unbalanced: string;
}

/** The text before the pending record grew past maxPending: probably a quote that is never closed. */
export class PendingRecordTooLong extends Error {
  constructor(readonly line: number) {
    super(`a CSV record starting on line ${line} is longer than the reader holds before checking its quotes`);
  }
}

const UNQUOTED = 'UNQUOTED VALUE: Value with unterminated quote found.';
const delimiters = new Map<string, RegExp>();
/** The regex that finds the next field or record end: the delimiter or a line break. */
function delimiterRegex(delimiter: string): RegExp {
  let re = delimiters.get(delimiter);
  if (!re) {
    re = new RegExp(`[${delimiter === '\t' ? '\\t' : `\\${delimiter}`}\\n]`, 'g');
    delimiters.set(delimiter, re);
  }
  return re;
}

/**
 * Records from text chunks. An UnbalancedLine must come where a record starts (after a line
 * break); the text before it is read to its end first. `maxPending` bounds the text held for one
 * record: past it PendingRecordTooLong is thrown rather than holding the rest of a file.
 */
export async function* csvRecords(pieces: AsyncIterable<string | UnbalancedLine>, maxPending = Infinity, delimiter = ','): AsyncGenerator<CsvRecord> {
  const DELIMITER = delimiterRegex(delimiter);
  let buf = '';
  let line = 1;
  const take = function* (final: boolean): Generator<CsvRecord> {
    let p = 0;
    while (p < buf.length) {
      const rec = parseRecord(buf, p, final, DELIMITER);
      if (!rec) break;
      const raw = buf.slice(p, rec.end);
      const text = rec.terminated ? raw.slice(0, -1) : raw;
      yield { fields: rec.fields, line, raw: raw.replace(/\r?\n$/, ''), error: rec.error, spansLines: text.includes('\n') };
      line += countNewlines(raw);
      p = rec.end;
    }
    buf = buf.slice(p);
  };
  for await (const piece of pieces) {
    if (typeof piece === 'string') {
      buf += piece;
      yield* take(false);
      if (buf.length > maxPending) throw new PendingRecordTooLong(line);
    } else {
      yield* take(true);
      yield { fields: [], line, raw: piece.unbalanced, error: UNBALANCED_QUOTE, spansLines: false };
      line++;
    }
  }
  yield* take(true);
}

/** Parses one record starting at p; null when the text ends mid-record and more may come. */
function parseRecord(
  buf: string,
  p: number,
  final: boolean,
  DELIMITER: RegExp,
): { fields: string[]; end: number; error: string | null; terminated: boolean } | null {
  const fields: string[] = [];
  let error: string | null = null;
  let i = p;
  for (;;) {
    let value = '';
    const quoted = buf[i] === '"';
    if (quoted) {
      let j = i + 1;
      for (;;) {
        const k = buf.indexOf('"', j);
        // A quote at the very end may be the first half of "": wait for more text.
        if (k < 0 || (k === buf.length - 1 && !final)) {
          if (!final) return null;
          fields.push(value + buf.slice(j).replace(/\r?\n$/, ''));
          return { fields, end: buf.length, error: UNQUOTED, terminated: false };
        }
        value += buf.slice(j, k);
        if (buf[k + 1] !== '"') {
          i = k + 1;
          break;
        }
        value += '"';
        j = k + 2;
      }
    }
    DELIMITER.lastIndex = i;
    const m = DELIMITER.exec(buf);
    if (!m && !final) return null;
    const k = m ? m.index : buf.length;
    const rest = buf.slice(i, k).replace(/\r$/, '');
    if (quoted && rest !== '') error ??= UNQUOTED; // text after a closing quote
    fields.push(quoted ? value + rest : rest);
    if (!m || m[0] === '\n') return { fields, end: m ? k + 1 : buf.length, error, terminated: !!m };
    i = k + 1;
  }
}

function countNewlines(s: string): number {
  let n = 0;
  for (let i = s.indexOf('\n'); i >= 0; i = s.indexOf('\n', i + 1)) n++;
  return n;
}
