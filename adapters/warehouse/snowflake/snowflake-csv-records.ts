/**
 * A streaming RFC 4180 reader (comma, double quote, "" escape, CRLF or LF) that keeps what the
 * raw table needs: each record's fields, the file line it starts on, its raw text, and why it is
 * malformed (text after a closing quote, or a quote never closed) instead of throwing.
 * Fields are sliced out of the text with indexOf/regex jumps, not built character by character;
 * a record cut by a chunk boundary is parsed again from its start once more text has arrived.
 */
export interface CsvRecord {
  fields: string[];
  /** 1-based line of the file where the record starts (exact even when quoted fields span lines). */
  line: number;
  raw: string;
  error: string | null;
}

const UNQUOTED = 'UNQUOTED VALUE: Value with unterminated quote found.';
const DELIMITER = /[,\n]/g;

export async function* csvRecords(chunks: AsyncIterable<string>): AsyncGenerator<CsvRecord> {
  let buf = '';
  let line = 1;
  const take = function* (final: boolean): Generator<CsvRecord> {
    let p = 0;
    while (p < buf.length) {
      const rec = parseRecord(buf, p, final);
      if (!rec) break;
      const raw = buf.slice(p, rec.end);
      yield { fields: rec.fields, line, raw: raw.replace(/\r?\n$/, ''), error: rec.error };
      line += countNewlines(raw);
      p = rec.end;
    }
    buf = buf.slice(p);
  };
  for await (const chunk of chunks) {
    buf += chunk;
    yield* take(false);
  }
  yield* take(true);
}

/** Parses one record starting at p; null when the text ends mid-record and more may come. */
function parseRecord(buf: string, p: number, final: boolean): { fields: string[]; end: number; error: string | null } | null {
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
          return { fields, end: buf.length, error: UNQUOTED };
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
    if (!m || m[0] === '\n') return { fields, end: m ? k + 1 : buf.length, error };
    i = k + 1;
  }
}

function countNewlines(s: string): number {
  let n = 0;
  for (let i = s.indexOf('\n'); i >= 0; i = s.indexOf('\n', i + 1)) n++;
  return n;
}
