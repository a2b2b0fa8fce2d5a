import type { ColumnRule, SourceContract } from './contract';

/**
 * Derives, from a contract, the SQL that splits a raw all-VARCHAR table into valid typed rows
 * (→ bronze) and rejected rows with their reasons (→ ops.quarantine). The result is a template
 * for lib/sql/render.ts: dialect differences are macros, table names are {{ vars }} and the
 * partition/file are bound parameters. Column names and enum values come from our own contract
 * constants, never from input, and are still quoted/escaped.
 */
const q = (col: string) => `"${col}"`;
const lit = (s: string) => `'${s.replace(/'/g, "''")}'`;

function castExpr(c: ColumnRule, src: string): string {
  const v = `nullif(trim(${src}), '')`;
  switch (c.sqlType) {
    case 'varchar':
      return v;
    case 'bigint':
      return `{{ try_int(${v}) }}`;
    case 'double':
      return `{{ try_num(${v}) }}`;
    case 'timestamp':
      return `{{ try_ts(${v}) }}`;
    case 'date':
      return `try_cast(${v} as date)`;
    case 'boolean':
      return `try_cast(${v} as boolean)`;
  }
}

/** One `case when … then 'reason' end` per rule; NULL when the rule holds. */
export function reasonExprs(c: ColumnRule, alias = 'r'): string[] {
  const raw = `${alias}.${q(c.name)}`;
  const present = `nullif(trim(${raw}), '') is not null`;
  const typed = castExpr(c, raw);
  const out: string[] = [];
  if (!c.nullable) out.push(`case when not (${present}) then ${lit(`${c.name}: missing`)} end`);
  if (c.sqlType !== 'varchar') out.push(`case when ${present} and ${typed} is null then ${lit(`${c.name}: not a valid ${c.sqlType}`)} end`);
  if (c.enum) out.push(`case when ${present} and trim(${raw}) not in (${c.enum.map(lit).join(', ')}) then ${lit(`${c.name}: not one of ${c.enum.join('|')}`)} end`);
  if (c.minimum !== undefined) out.push(`case when ${typed} < ${Number(c.minimum)} then ${lit(`${c.name}: below ${c.minimum}`)} end`);
  if (c.maximum !== undefined) out.push(`case when ${typed} > ${Number(c.maximum)} then ${lit(`${c.name}: above ${c.maximum}`)} end`);
  if (c.minLength !== undefined && c.minLength > 1) out.push(`case when ${present} and length(trim(${raw})) < ${Number(c.minLength)} then ${lit(`${c.name}: shorter than ${c.minLength}`)} end`);
  if (c.maxLength !== undefined) out.push(`case when length(${raw}) > ${Number(c.maxLength)} then ${lit(`${c.name}: longer than ${c.maxLength}`)} end`);
  if (c.json) out.push(`case when ${present} and not {{ is_json(${raw}) }} then ${lit(`${c.name}: not valid JSON`)} end`);
  return out;
}

export function bronzeDdl(s: SourceContract): string {
  const cols = s.columns.map((c) => `  ${q(c.name)} ${c.sqlType}`).join(',\n');
  return `create table if not exists bronze.${s.name} (\n${cols},\n  _partition_date date,\n  _source_key varchar,\n  _line bigint,\n  _loaded_at timestamp\n)`;
}

/**
 * Two statements over `{{ raw }}`: valid rows into bronze, the rest into quarantine.
 * The reasons expression is written out in both (instead of a materialised temp table):
 * recomputing a few try_casts is cheaper than writing and rereading every row once more.
 */
export function splitSql(s: SourceContract): { toBronze: string; toQuarantine: string } {
  const reasons = `{{ join_reasons(case when r._error is not null then 'unparsable line: ' || r._error end, ${s.columns.flatMap((c) => reasonExprs(c)).join(', ')}) }}`;
  const typedCols = s.columns.map((c) => `${castExpr(c, `r.${q(c.name)}`)} as ${q(c.name)}`).join(', ');
  const toBronze = `insert into bronze.${s.name} select ${typedCols}, cast($partition_date as date), $source_key, r._line, {{ now_utc() }} from {{ raw }} r where ${reasons} is null`;
  const rawJson = `coalesce(r._raw, {{ row_json(r) }})`;
  const toQuarantine = `insert into ops.quarantine (partition_date, source, source_key, line, reasons, raw_record, quarantined_at) select cast($partition_date as date), ${lit(s.name)}, $source_key, r._line, ${reasons}, ${rawJson}, {{ now_utc() }} from {{ raw }} r where ${reasons} is not null`;
  return { toBronze, toQuarantine };
}
