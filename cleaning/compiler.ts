import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Dialect, Params, SqlValue } from '../adapters/warehouse/warehouse';
import { assertIdentifier } from '../adapters/warehouse/warehouse';
import { SQL_DIR, readSqlFile, renderSql, statements } from '../lib/sql/render';
import type { FlagDefinition } from './flags';
import { operationSchema, CLEANABLE_TABLES, type CleanableTable, type Operation } from './vocabulary';
import { columnProblem } from './column-types';

/**
 * Compiles one operation to parameterised SQL. Identifiers come only from the vocabulary's
 * table list and the table's real columns (information_schema) and pass assertIdentifier;
 * every value (bounds, defaults, zones, the date) is a bound parameter. Anything else is
 * refused with a reason and never reaches the warehouse.
 */
export interface CompileContext {
  dialect: Dialect;
  /** Physical table per logical table: silver.orders, or the dry run's staging copy. */
  tables: Record<CleanableTable, string>;
  /** Real columns per logical table: name → data type, from information_schema. */
  columns: Record<CleanableTable, Record<string, string>>;
  flags: Record<string, FlagDefinition>;
  /** Bound to every statement that mentions them; session_lookback_start is the first partition the orphan flag looks at. */
  params: { partition_date: string; workflow_id: string; plan_version: number; now: string; session_lookback_start?: string };
}

export interface CompiledStatement {
  sql: string;
  params: Params;
}
export type Compiled = { ok: true; op: Operation; table: CleanableTable; statements: CompiledStatement[] } | { ok: false; reason: string };

export function compileOperation(raw: unknown, ctx: CompileContext): Compiled {
  const parsed = operationSchema.safeParse(raw);
  if (!parsed.success) {
    const kind = (raw as { op?: unknown })?.op;
    return {
      ok: false,
      reason: `not an operation of the vocabulary${typeof kind === 'string' ? ` (${JSON.stringify(kind.slice(0, 40))})` : ''}: ${parsed.error.issues.map((i) => `${i.path.join('.') || 'operation'}: ${i.message}`).join('; ')}`,
    };
  }
  const op = parsed.data;
  try {
    return compileValid(op, ctx);
  } catch (err) {
    return { ok: false, reason: (err as Error).message };
  }
}

class Refused extends Error {}

function compileValid(op: Operation, ctx: CompileContext): Compiled {
  const flagOf = (check: string | null, table?: CleanableTable): { table: CleanableTable; predicate: string } => {
    if (check === null) return { table: table!, predicate: 'true' };
    const flag = ctx.flags[check];
    if (!flag) throw new Refused(`no rows can be flagged for check ${JSON.stringify(check.slice(0, 63))}: known ${Object.keys(ctx.flags).join(', ')}`);
    if (table && flag.table !== table) throw new Refused(`check ${check} flags rows of ${flag.table}, not ${table}`);
    return { table: flag.table, predicate: flag.predicate };
  };
  const col = (table: CleanableTable, name: string): string => {
    const problem = columnProblem(ctx.columns[table], table, name);
    if (problem) throw new Refused(problem);
    return assertIdentifier(name);
  };
  const values: Record<string, SqlValue> = {};
  const vars: Record<string, string> = {};
  let slots: Record<string, string> = {};
  let target: CleanableTable;
  switch (op.op) {
    case 'drop_flagged_rows':
    case 'quarantine_flagged_rows': {
      const f = flagOf(op.check);
      target = f.table;
      slots = { flag: f.predicate };
      Object.assign(values, { table_name: f.table, check_name: op.check });
      break;
    }
    case 'set_null':
    case 'shift_timezone': {
      const f = flagOf(op.check, op.table);
      target = op.table;
      vars.column = col(op.table, op.column);
      slots = { flag: f.predicate };
      if (op.op === 'shift_timezone') {
        expectType(ctx, op.table, op.column, /^TIMESTAMP/i, 'a timestamp');
        for (const zone of [op.fromZone, op.toZone]) if (!isTimeZone(zone)) throw new Refused(`unknown time zone ${JSON.stringify(zone.slice(0, 64))}`);
        Object.assign(values, { from_zone: op.fromZone, to_zone: op.toZone });
      }
      break;
    }
    case 'clamp_to_range': {
      target = op.table;
      vars.column = col(op.table, op.column);
      expectType(ctx, op.table, op.column, /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|DOUBLE|FLOAT|REAL|DECIMAL|NUMBER)/i, 'numeric');
      if (op.min === null && op.max === null) throw new Refused('clamp_to_range needs min or max');
      if (op.min !== null && op.max !== null && op.min > op.max) throw new Refused(`clamp_to_range: min ${op.min} is above max ${op.max}`);
      Object.assign(values, { has_min: op.min !== null, min: op.min ?? 0, has_max: op.max !== null, max: op.max ?? 0 });
      break;
    }
    case 'dedupe_on_keys': {
      target = op.table;
      vars.order_by = col(op.table, op.orderBy);
      slots = { same_keys: op.keys.map((k) => `o.${col(op.table, k)} is not distinct from t.${k}`).join(' and '), keep_cmp: op.keep === 'first' ? '<' : '>' };
      break;
    }
    case 'fill_default': {
      target = op.table;
      vars.column = col(op.table, op.column);
      const problem = columnProblem(ctx.columns[op.table], op.table, op.column, op.value);
      if (problem) throw new Refused(problem);
      values.value = op.value;
      break;
    }
  }
  const sql = renderOperationSql(op.op, ctx, { ...vars, target: ctx.tables[target] }, slots);
  const all: Params = { ...values, ...ctx.params };
  return { ok: true, op, table: target, statements: statements(sql).map((s) => ({ sql: s, params: usedParams(s, all) })) };
}

function renderOperationSql(kind: Operation['op'], ctx: CompileContext, vars: Record<string, string>, slots: Record<string, string>): string {
  const dialectFile = `cleaning/${kind}.${ctx.dialect}.sql`;
  const file = fs.existsSync(path.join(SQL_DIR, dialectFile)) ? dialectFile : `cleaning/${kind}.sql`;
  // Slots hold SQL from our own files (flag predicates) or built from validated identifiers only.
  const template = readSqlFile(file).replace(/\/\* (flag|same_keys|keep_cmp) \*\//g, (_m, name: string) => {
    if (!(name in slots)) throw new Refused(`template ${file}: slot ${name} has no value`);
    return slots[name];
  });
  const tableVars = Object.fromEntries(CLEANABLE_TABLES.map((t) => [t, ctx.tables[t]]));
  return renderSql(template, ctx.dialect, { ...tableVars, ...vars });
}

function usedParams(sql: string, all: Params): Params {
  return Object.fromEntries(Object.entries(all).filter(([k]) => new RegExp(`\\$${k}\\b`).test(sql)));
}

function expectType(ctx: CompileContext, table: CleanableTable, column: string, type: RegExp, what: string): void {
  const actual = ctx.columns[table][column];
  if (!type.test(actual)) throw new Refused(`${table}.${column} is ${actual}, not ${what}`);
}

function isTimeZone(zone: string): boolean {
  if (zone === 'UTC') return true;
  return (Intl as unknown as { supportedValuesOf(k: string): string[] }).supportedValuesOf('timeZone').includes(zone);
}
