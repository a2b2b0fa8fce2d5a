import type { Params, SqlValue } from '../warehouse';

/**
 * The two places where SQL text is read rather than passed through, both with one scanner that
 * skips '…' strings (with '' and \' escapes), "…" identifiers, $$…$$ blocks and -- / block
 * comments — so a `$name` or `;` inside them is left alone (the JSON path '$.key' is common).
 */
type Visit = (i: number, sql: string) => number | void;

function scan(sql: string, visit: Visit): void {
  let i = 0;
  while (i < sql.length) {
    const ch = sql[i];
    const two = sql.slice(i, i + 2);
    if (ch === "'") i = skipQuoted(sql, i, "'");
    else if (ch === '"') i = skipQuoted(sql, i, '"');
    else if (two === '$$') i = endOf(sql, '$$', i + 2);
    else if (two === '--') i = endOf(sql, '\n', i + 2);
    else if (two === '/*') i = endOf(sql, '*/', i + 2);
    else i = visit(i, sql) ?? i + 1;
  }
}

function skipQuoted(sql: string, start: number, quote: string): number {
  let i = start + 1;
  while (i < sql.length) {
    if (quote === "'" && sql[i] === '\\') i += 2;
    else if (sql[i] === quote && sql[i + 1] === quote) i += 2;
    else if (sql[i] === quote) return i + 1;
    else i++;
  }
  return i;
}

function endOf(sql: string, closer: string, from: number): number {
  const j = sql.indexOf(closer, from);
  return j < 0 ? sql.length : j + closer.length;
}

const PARAM = /^\$([A-Za-z_][A-Za-z0-9_]*)/;

/**
 * `$name` → `?` with the values in order (a name used twice is bound twice). `$1` (a staged
 * file's column) is not a parameter. A name without a value is an error, not a silent NULL.
 */
export function toPositionalBinds(sql: string, params: Params = {}): { sqlText: string; binds: SqlValue[] } {
  const binds: SqlValue[] = [];
  let out = '';
  let copied = 0;
  scan(sql, (i) => {
    const m = sql[i] === '$' ? PARAM.exec(sql.slice(i)) : null;
    if (!m) return;
    if (!Object.prototype.hasOwnProperty.call(params, m[1])) throw new Error(`SQL parameter $${m[1]} has no value`);
    binds.push(params[m[1]]);
    out += sql.slice(copied, i) + '?';
    copied = i + m[0].length;
    return copied;
  });
  return { sqlText: out + sql.slice(copied), binds };
}

/** Splits a script on top-level `;` (Snowflake runs one statement per request by default). */
export function splitStatements(sql: string): string[] {
  const parts: string[] = [];
  let start = 0;
  scan(sql, (i) => {
    if (sql[i] !== ';') return;
    parts.push(sql.slice(start, i));
    start = i + 1;
  });
  parts.push(sql.slice(start));
  return parts.filter((p) => p.replace(/--[^\n]*/g, '').trim() !== '');
}
