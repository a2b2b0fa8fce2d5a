import type { Writable } from 'node:stream';

/** Quotes a CSV field only when it needs it (RFC 4180). */
export function csvField(v: string | number | null | undefined): string {
  if (v === null || v === undefined) return '';
  const s = String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/**
 * Buffers lines and writes them in large chunks, honouring back-pressure, so generating
 * millions of rows stays fast and memory-flat.
 */
export class LineWriter {
  private buf: string[] = [];
  private size = 0;
  lines = 0;

  constructor(
    private readonly out: Writable,
    private readonly flushAt = 1 << 20,
  ) {}

  async write(line: string): Promise<void> {
    this.buf.push(line);
    this.size += line.length + 1;
    this.lines++;
    if (this.size >= this.flushAt) await this.flush();
  }

  async flush(): Promise<void> {
    if (this.buf.length === 0) return;
    const chunk = this.buf.join('\n') + '\n';
    this.buf = [];
    this.size = 0;
    if (!this.out.write(chunk)) await new Promise<void>((resolve) => this.out.once('drain', resolve));
  }

  async end(): Promise<void> {
    await this.flush();
    await new Promise<void>((resolve, reject) => this.out.end((err?: Error | null) => (err ? reject(err) : resolve())));
  }
}
