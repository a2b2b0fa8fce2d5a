import type { Cell } from './csv';
import type { MmmVariables } from './variables';

export interface DatasetCheck {
  /** Every problem found, each a sentence naming the column and the weeks concerned. */
  problems: string[];
  /** The model's columns only, dates as YYYY-MM-DD, numbers as numbers, sorted by week. */
  columns: string[];
  rows: Record<string, Cell>[];
}

const SHOW = 5;
const DAY_MS = 86400_000;

/** The columns the runner reads, in the order the snapshot writes them. */
export function modelColumns(v: MmmVariables): string[] {
  return [...new Set([v.date, v.depVar, ...v.paidMediaSpends, ...(v.paidMediaVars ?? []), ...v.contextVars, ...v.organicVars])];
}

/**
 * Checks a weekly dataset before any container starts and lists EVERY problem at once:
 * missing columns, unparseable or duplicate weeks, gaps, weeks not 7 days apart, too few
 * weeks, missing or non-numeric values, negative or never-positive spend.
 */
export function checkDataset(columns: readonly string[], raw: readonly Record<string, unknown>[], v: MmmVariables, minWeeks: number): DatasetCheck {
  const problems: string[] = [];
  const wanted = modelColumns(v);
  const missing = wanted.filter((c) => !columns.includes(c));
  if (missing.length) problems.push(`missing columns: ${missing.join(', ')} (has: ${columns.join(', ') || 'no columns'})`);
  if (!columns.includes(v.date)) return { problems, columns: wanted, rows: [] };

  const badDates: string[] = [];
  const rows: Record<string, Cell>[] = [];
  raw.forEach((r, i) => {
    const date = asDate(r[v.date]);
    if (!date) badDates.push(`row ${i + 1}: ${JSON.stringify(r[v.date] ?? null)}`);
    else rows.push(Object.fromEntries(wanted.filter((c) => columns.includes(c)).map((c) => [c, c === v.date ? date : asCell(r[c])])));
  });
  if (badDates.length) problems.push(`${v.date}: ${badDates.length} values are not dates (${list(badDates)})`);
  rows.sort((a, b) => String(a[v.date]).localeCompare(String(b[v.date])));

  const weeks = rows.map((r) => String(r[v.date]));
  const counts = new Map<string, number>();
  for (const w of weeks) counts.set(w, (counts.get(w) ?? 0) + 1);
  const dupes = [...counts].filter(([, n]) => n > 1).map(([w, n]) => `${w} (${n} rows)`);
  if (dupes.length) problems.push(`duplicate weeks: ${list(dupes)}`);
  const distinct = [...counts.keys()];
  const gaps: string[] = [];
  const offGrid: string[] = [];
  for (let i = 1; i < distinct.length; i++) {
    const days = (Date.parse(distinct[i]) - Date.parse(distinct[i - 1])) / DAY_MS;
    if (days % 7 !== 0) offGrid.push(`${distinct[i]} is ${days} days after ${distinct[i - 1]}`);
    else for (let k = 1; k < days / 7; k++) gaps.push(new Date(Date.parse(distinct[i - 1]) + 7 * k * DAY_MS).toISOString().slice(0, 10));
  }
  if (offGrid.length) problems.push(`weeks must be 7 days apart: ${list(offGrid)}`);
  if (gaps.length) problems.push(`missing weeks (gaps): ${list(gaps)}`);
  if (distinct.length < minWeeks)
    problems.push(`only ${distinct.length} weeks of data${distinct.length ? ` (${distinct[0]}..${distinct.at(-1)})` : ''}; at least ${minWeeks} are needed`);

  const numeric = (col: string, rule: 'any' | 'non-negative') => {
    if (!columns.includes(col)) return;
    const absent = rows.filter((r) => r[col] === null).map((r) => String(r[v.date]));
    const text = rows.filter((r) => typeof r[col] === 'string').map((r) => `${r[v.date]}: ${JSON.stringify(r[col])}`);
    const negative =
      rule === 'non-negative' ? rows.filter((r) => typeof r[col] === 'number' && (r[col] as number) < 0).map((r) => `${r[v.date]}: ${r[col]}`) : [];
    if (absent.length) problems.push(`${col}: no value in ${weeksText(absent.length)} (${list(absent)})`);
    if (text.length) problems.push(`${col}: not a number in ${weeksText(text.length)} (${list(text)})`);
    if (negative.length) problems.push(`${col}: negative in ${weeksText(negative.length)} (${list(negative)})`);
  };
  numeric(v.depVar, 'any');
  for (const c of v.paidMediaSpends) {
    numeric(c, 'non-negative');
    if (columns.includes(c) && rows.length && !rows.some((r) => typeof r[c] === 'number' && (r[c] as number) > 0))
      problems.push(`${c}: no spend in any week (Robyn cannot model a channel that never ran)`);
  }
  for (const c of [...(v.paidMediaVars ?? []), ...v.organicVars]) if (!v.paidMediaSpends.includes(c) && !v.factorVars.includes(c)) numeric(c, 'non-negative');
  for (const c of v.contextVars) if (!v.factorVars.includes(c)) numeric(c, 'any');
  return { problems, columns: wanted, rows };
}

/** YYYY-MM-DD of a date-like value (ISO text, with or without time), or undefined. */
function asDate(value: unknown): string | undefined {
  const s = typeof value === 'string' ? value.trim() : '';
  const m = /^(\d{4}-\d{2}-\d{2})(?:[T ][\d:.]+(?:Z|[+-]\d{2}:?\d{2})?)?$/.exec(s);
  if (!m) return undefined;
  const d = new Date(`${m[1]}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === m[1] ? m[1] : undefined;
}

/** Numbers stay numbers, numeric text becomes a number, empty becomes null, other text stays. */
function asCell(value: unknown): Cell {
  if (value === null || value === undefined) return null;
  if (typeof value === 'number') return Number.isFinite(value) ? value : String(value);
  if (typeof value === 'bigint' || typeof value === 'boolean') return Number(value);
  const s = String(value).trim();
  if (s === '') return null;
  const n = Number(s);
  return Number.isFinite(n) ? n : s;
}

const weeksText = (n: number) => `${n} week${n === 1 ? '' : 's'}`;

function list(items: string[]): string {
  return items.length <= SHOW ? items.join(', ') : `${items.slice(0, SHOW).join(', ')} and ${items.length - SHOW} more`;
}
