/**
 * A streaming RFC 4180 reader (comma, double quote, "" escape, CRLF or LF) that keeps what the
 * raw table needs: each record's fields, the file line it starts on, its raw text, and why it is
 * malformed (text after a closing quote, or a quote never closed) instead of throwing.
 */
export interface CsvRecord {
  fields: string[];
  /** 1-based line of the file where the record starts (exact even when quoted fields span lines). */
  line: number;
  raw: string;
  error: string | null;
}

const UNQUOTED = 'UNQUOTED VALUE: Value with unterminated quote found.';

export async function* csvRecords(chunks: AsyncIterable<string>): AsyncGenerator<CsvRecord> {
  let fields: string[] = [];
  let field = '';
  let raw = '';
  let quoted = false; // inside a quoted field
  let afterQuote = false; // the quoted field just closed
  let error: string | null = null;
  let line = 1;
  let start = 1;
  let pendingCr = false;

  const finish = (): CsvRecord => {
    fields.push(field);
    const rec = { fields, line: start, raw: raw.replace(/\r?\n$/, '').replace(/\r$/, ''), error };
    fields = [];
    field = '';
    raw = '';
    afterQuote = false;
    error = null;
    return rec;
  };

  for await (const chunk of chunks) {
    for (const ch of chunk) {
      if (pendingCr && ch !== '\n') field += '\r';
      pendingCr = false;
      raw += ch;
      if (quoted) {
        if (ch === '"') {
          quoted = false;
          afterQuote = true;
        } else {
          if (ch === '\n') line++;
          field += ch;
        }
        continue;
      }
      if (ch === '"' && afterQuote) {
        field += '"'; // "" inside a quoted field
        quoted = true;
        afterQuote = false;
      } else if (ch === '"' && field === '') {
        quoted = true;
      } else if (ch === ',') {
        fields.push(field);
        field = '';
        afterQuote = false;
      } else if (ch === '\n') {
        line++;
        yield finish();
        start = line;
      } else if (ch === '\r') {
        pendingCr = true; // dropped when a \n follows (CRLF), kept otherwise
      } else {
        if (afterQuote) error ??= UNQUOTED;
        field += ch;
      }
    }
  }
  if (quoted) error = UNQUOTED;
  if (quoted || raw.replace(/\r$/, '') !== '') yield finish();
}
