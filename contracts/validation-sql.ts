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

export interface Violation {
  /** SQL boolean, true when the row breaks the rule. */
  when: string;
  reason: string;
}

/** The rules a column's contract implies, each as a violation predicate and its reason. */
export function violations(c: ColumnRule, alias = 'r'): Violation[] {
  const raw = `${alias}.${q(c.name)}`;
  const present = `nullif(trim(${raw}), '') is not null`;
  const typed = castExpr(c, raw);
  const out: Violation[] = [];
  if (!c.nullable) out.push({ when: `not (${present})`, reason: `${c.name}: missing` });
  if (c.sqlType !== 'varchar') out.push({ when: `${present} and ${typed} is null`, reason: `${c.name}: not a valid ${c.sqlType}` });
  if (c.enum) out.push({ when: `${present} and trim(${raw}) not in (${c.enum.map(lit).join(', ')})`, reason: `${c.name}: not one of ${c.enum.join('|')}` });
  if (c.minimum !== undefined) out.push({ when: `${typed} < ${Number(c.minimum)}`, reason: `${c.name}: below ${c.minimum}` });
  if (c.maximum !== undefined) out.push({ when: `${typed} > ${Number(c.maximum)}`, reason: `${c.name}: above ${c.maximum}` });
  if (c.minLength !== undefined && c.minLength > 1) out.push({ when: `${present} and length(trim(${raw})) < ${Number(c.minLength)}`, reason: `${c.name}: shorter than ${c.minLength}` });
  if (c.maxLength !== undefined) out.push({ when: `length(${raw}) > ${Number(c.maxLength)}`, reason: `${c.name}: longer than ${c.maxLength}` });
  if (c.json) out.push({ when: `${present} and not {{ is_json(${raw}) }}`, reason: `${c.name}: not valid JSON` });
  return out;
}

export function bronzeDdl(s: SourceContract): string {
  const cols = s.columns.map((c) => `  ${q(c.name)} ${c.sqlType}`).join(',\n');
  return `create table if not exists bronze.${s.name} (\n${cols},\n  _partition_date date,\n  _source_key varchar,\n  _line bigint,\n  _loaded_at timestamp\n)`;
}

/**
 * Two statements over `{{ raw }}`: valid rows into bronze, the rest into quarantine.
 * Validity is a plain boolean (`not (v1 or v2 …)`), cheap for the millions of good rows; the
 * reason strings are only built for the few rejected ones. Both statements recompute the
 * predicates rather than materialising them: a few casts cost less than another full copy.
 */
export function splitSql(s: SourceContract): { toBronze: string; toQuarantine: string } {
  const rules: Violation[] = [{ when: 'r._error is not null', reason: 'unparsable line' }, ...s.columns.flatMap((c) => violations(c))];
  const invalid = `(${rules.map((v) => `(${v.when})`).join(' or ')})`;
  const reasons = `{{ join_reasons(case when r._error is not null then 'unparsable line: ' || r._error end, ${rules.slice(1).map((v) => `case when ${v.when} then ${lit(v.reason)} end`).join(', ')}) }}`;
  const typedCols = s.columns.map((c) => `${castExpr(c, `r.${q(c.name)}`)} as ${q(c.name)}`).join(', ');
  const toBronze = `insert into bronze.${s.name} select ${typedCols}, cast($partition_date as date), $source_key, r._line, {{ now_utc() }} from {{ raw }} r where not coalesce(${invalid}, false)`;
  const rawJson = `coalesce(r._raw, {{ row_json(r) }})`;
  const toQuarantine = `insert into ops.quarantine (partition_date, source, source_key, line, reasons, raw_record, quarantined_at) select cast($partition_date as date), ${lit(s.name)}, $source_key, r._line, ${reasons}, ${rawJson}, {{ now_utc() }} from {{ raw }} r where coalesce(${invalid}, false)`;
  return { toBronze, toQuarantine };
}
