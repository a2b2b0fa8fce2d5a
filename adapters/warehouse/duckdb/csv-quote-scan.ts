import * as fs from 'node:fs';

/**
 * A physical line that opened a quote which broke its record: bytes [start, end) without the line
 * break (LF or CRLF), and its line number as DuckDB counts them (records and blank lines, header = 1).
 */
export interface UnbalancedQuoteLine {
  start: number;
  end: number;
  line: number;
}

/** The reason both loaders give for such a line (its own row, with its own text). */
export const UNBALANCED_QUOTE = 'UNBALANCED QUOTE: a quote opened on this line is not closed on it; the lines after it were read on their own';

const QUOTE = 0x22;
const COMMA = 0x2c;
const LF = 0x0a;
const CR = 0x0d;
const enum State {
  FieldStart,
  Unquoted,
  Quoted,
  QuoteInQuoted,
}
const CHUNK = 4 * 1024 * 1024;

/**
 * Finds the lines of a CSV file (`,` or the given one-byte delimiter, `"` quote and escape, header on line 1) that open
 * a quote which runs past the line and breaks the record: the quoted value reaches the end of the
 * file, or a later quote closes it followed by something other than `,` or a line break, or the
 * record ends up with the wrong number of fields. Records are read the way DuckDB's CSV reader
 * reads them (a quote opens a value only at its start; after a broken value the field runs on to
 * the next `,`), and after a bad line reading resumes at the next line, so each later line is
 * judged on its own. A multi-line value that closes cleanly in a record of the right width is
 * valid CSV and not reported. One pass, plus a re-read of each broken record's stretch.
 */
export async function findUnbalancedQuoteLines(file: string, width: number, delimiter = ','): Promise<UnbalancedQuoteLine[]> {
  const fh = await fs.promises.open(file, 'r');
  try {
    const size = (await fh.stat()).size;
    const buf = Buffer.alloc(CHUNK);
    const header = await lineEnd(fh, 0, size, buf);
    const scan = new RecordScan(width, header + 1, delimiter.charCodeAt(0));
    for (let pos = header + 1; ;) {
      if (pos >= size) {
        pos = scan.endOfFile(size);
        if (pos >= size) return scan.bad;
        continue;
      }
      const { bytesRead } = await fh.read(buf, 0, CHUNK, pos);
      pos = scan.feed(buf, bytesRead, pos);
    }
  } finally {
    await fh.close();
  }
}

async function lineEnd(fh: fs.promises.FileHandle, from: number, size: number, buf: Buffer): Promise<number> {
  for (let pos = from; pos < size; pos += CHUNK) {
    const { bytesRead } = await fh.read(buf, 0, CHUNK, pos);
    const i = buf.subarray(0, bytesRead).indexOf(LF);
    if (i >= 0) return pos + i;
  }
  return size;
}

/** A record-by-record state machine fed with chunks; `feed` returns where to read next. */
class RecordScan {
  readonly bad: UnbalancedQuoteLine[] = [];
  private state = State.FieldStart;
  private fields = 0;
  private empty = true; // nothing but a line break so far: a blank line, which DuckDB skips
  private broken = false;
  private firstLineEnd = -1; // the first line break inside a quoted value: the record spans lines
  private firstLineText = -1; // the same, before a CR
  private lastByte = 0; // of the previous chunk
  private line = 2;

  constructor(
    private readonly width: number,
    private recordStart: number,
    private readonly comma = COMMA,
  ) {}

  feed(buf: Buffer, n: number, offset: number): number {
    for (let i = 0; i < n; i++) {
      const b = buf[i];
      if (b !== LF && b !== CR) this.empty = false;
      switch (this.state) {
        case State.FieldStart:
          if (b === QUOTE) this.state = State.Quoted;
          else if (b === this.comma) this.fields++;
          else if (b === LF) {
            const next = this.endRecord(offset + i);
            if (next !== offset + i + 1) return next;
          } else if (b !== CR) this.state = State.Unquoted;
          break;
        case State.Unquoted:
          if (b === this.comma) {
            this.fields++;
            this.state = State.FieldStart;
          } else if (b === LF) {
            const next = this.endRecord(offset + i);
            if (next !== offset + i + 1) return next;
          }
          break;
        case State.Quoted:
          if (b === QUOTE) this.state = State.QuoteInQuoted;
          else if (b === LF && this.firstLineEnd < 0) {
            this.firstLineEnd = offset + i;
            this.firstLineText = (i > 0 ? buf[i - 1] : this.lastByte) === CR ? offset + i - 1 : offset + i;
          }
          break;
        case State.QuoteInQuoted:
          if (b === QUOTE)
            this.state = State.Quoted; // "" inside a quoted value
          else if (b === this.comma) {
            this.fields++;
            this.state = State.FieldStart;
          } else if (b === LF) {
            const next = this.endRecord(offset + i);
            if (next !== offset + i + 1) return next;
          } else if (b !== CR) {
            this.broken = true;
            this.state = State.Unquoted;
          }
          break;
      }
    }
    this.lastByte = buf[n - 1];
    return offset + n;
  }

  endOfFile(size: number): number {
    if (this.empty) return size;
    if (this.state === State.Quoted) this.broken = true;
    return this.endRecord(size);
  }

  /** The record ends at `at` (a line break or the end of the file); returns where the next one starts. */
  private endRecord(at: number): number {
    const blank = this.empty;
    this.fields++;
    const next = this.firstLineEnd >= 0 && (this.broken || this.fields !== this.width) && !blank ? this.firstLineEnd + 1 : at + 1;
    if (next !== at + 1) this.bad.push({ start: this.recordStart, end: this.firstLineText, line: this.line });
    this.line++;
    this.recordStart = next;
    this.state = State.FieldStart;
    this.fields = 0;
    this.empty = true;
    this.broken = false;
    this.firstLineEnd = -1;
    this.firstLineText = -1;
    return next;
  }
}
