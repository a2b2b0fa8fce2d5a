import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Dialect } from '../../adapters/warehouse/warehouse';
import { assertIdentifier } from '../../adapters/warehouse/warehouse';
import { duckdbMacros } from './macros-duckdb';
import { snowflakeMacros } from './macros-snowflake';

/**
 * The smallest template layer that lets one SQL file run on every warehouse:
 *   {{ name }}          an identifier variable (schema or table name) given by the caller;
 *                       validated with assertIdentifier, so input can never smuggle SQL in;
 *   {{ macro(a, b) }}   a per-dialect snippet (lib/sql/macros-*.ts), e.g. {{ try_ts(event_ts) }};
 *                       arguments are SQL text written in our own files, split on top-level commas.
 * Values are never templated: they stay `$name` bound parameters.
 */
export type Macros = Record<string, (...args: string[]) => string>;
export type SqlVars = Record<string, string>;

const registry: Partial<Record<Dialect, Macros>> = { duckdb: duckdbMacros, snowflake: snowflakeMacros };

export function registerMacros(dialect: Dialect, macros: Macros): void {
  registry[dialect] = macros;
}

export function macrosFor(dialect: Dialect): Macros {
  const m = registry[dialect];
  if (!m) throw new Error(`no SQL macros registered for dialect ${dialect}`);
  return m;
}

const TAG = /\{\{\s*([a-z_][a-z0-9_]*)\s*(?:\(((?:[^{}]|\{[^{}]*\})*)\))?\s*\}\}/g;

export function renderSql(template: string, dialect: Dialect, vars: SqlVars = {}): string {
  const macros = macrosFor(dialect);
  // Nested macros render inside-out: repeat until no tag is left (bounded).
  let sql = template;
  for (let pass = 0; pass < 5 && sql.includes('{{'); pass++) {
    sql = sql.replace(TAG, (_m, name: string, args: string | undefined) => {
      if (args === undefined) {
        if (!(name in vars)) throw new Error(`SQL template variable {{ ${name} }} has no value`);
        return assertIdentifier(vars[name]);
      }
      const fn = macros[name];
      if (!fn) throw new Error(`unknown SQL macro ${name}() for dialect ${dialect}`);
      return fn(...splitArgs(args));
    });
  }
  if (sql.includes('{{')) throw new Error('SQL template has unresolved {{ }} tags');
  // Whole-line comments are for readers of the file, not the warehouse (fakesnow even expands
  // `$name` inside them as a session variable).
  return sql.replace(/^[ \t]*--.*(?:\r?\n|$)/gm, '');
}

/** Splits `a, f(b, c), 'x,y'` into top-level arguments. */
export function splitArgs(args: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let quote = false;
  let cur = '';
  for (const ch of args) {
    if (ch === "'") quote = !quote;
    if (!quote && ch === '(') depth++;
    if (!quote && ch === ')') depth--;
    if (!quote && depth === 0 && ch === ',') {
      out.push(cur.trim());
      cur = '';
    } else cur += ch;
  }
  if (cur.trim()) out.push(cur.trim());
  return out;
}

export const SQL_DIR = path.resolve(__dirname, '../../sql');
const fileCache = new Map<string, string>();

/** Reads `sql/<relative>` once per process. */
export function readSqlFile(relative: string): string {
  let text = fileCache.get(relative);
  if (text === undefined) {
    text = fs.readFileSync(path.join(SQL_DIR, relative), 'utf8');
    fileCache.set(relative, text);
  }
  return text;
}

export function renderSqlFile(relative: string, dialect: Dialect, vars: SqlVars = {}): string {
  return renderSql(readSqlFile(relative), dialect, vars);
}

/** Splits a rendered script into statements (our files never put `;` inside strings). */
export function statements(sql: string): string[] {
  return sql
    .split(/;\s*(?:\n|$)/)
    .map((s) => s.replace(/^\s*--.*$/gm, '').trim())
    .filter(Boolean);
}
