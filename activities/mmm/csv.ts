/**
 * The small CSV dialect MMM datasets use (RFC 4180: comma, double quotes, "" escapes, CRLF or
 * LF). Weekly datasets are a few hundred rows, so whole-text parsing is fine.
 */
export type Cell = string | number | null;

export function parseCsv(text: string): { columns: string[]; rows: Record<string, string>[] } {
  const records = parseRecords(text.replace(/^\uFEFF/, ''));
  const [columns = [], ...body] = records;
  const rows = body.filter((r) => !(r.length === 1 && r[0] === '')).map((r) => Object.fromEntries(columns.map((c, i) => [c, r[i] ?? ''])));
  return { columns, rows };
}

function parseRecords(text: string): string[][] {
  const out: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      row.push(field);
      field = '';
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      out.push(row);
      row = [];
      field = '';
    } else field += ch;
  }
  if (field !== '' || row.length) {
    row.push(field);
    out.push(row);
  }
  return out;
}

export function toCsv(columns: readonly string[], rows: readonly Record<string, Cell>[]): string {
  const cell = (v: Cell) => {
    if (v === null) return '';
    const s = String(v);
    return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  return [columns.map(cell).join(','), ...rows.map((r) => columns.map((c) => cell(r[c] ?? null)).join(','))].join('\n') + '\n';
}
