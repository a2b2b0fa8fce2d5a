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
  // cast_text: DuckDB's casts already ignore surrounding blanks (so no trim, which copies every
  // string); Snowflake's macro trims.
  const v = `{{ cast_text(${src}) }}`;
  switch (c.sqlType) {
    case 'varchar':
      // Text is kept as delivered (only '' becomes NULL); silver decides about whitespace.
      return `nullif(${src}, '')`;
    case 'bigint':
      return `{{ try_int(${v}) }}`;
    case 'double':
      return `{{ try_num(${v}) }}`;
    case 'timestamp':
      return `{{ try_ts(${v}) }}`;
    case 'date':
      return `try_cast(${v} as date)`;
    case 'boolean':
      return `try_cast(nullif(trim(${src}), '') as boolean)`; // boolean casts do not ignore blanks
  }
}

export interface Violation {
  /** SQL boolean over the typed projection `t` (see `typedProjection`), true when the rule is broken. */
  when: string;
  reason: string;
}

/**
 * The rules a column's contract implies. They read the typed projection `t`, where each column
 * is cast once (`t."col"`) and its raw text kept as `t."col__raw"`, so no cast is repeated.
 */
export function violations(c: ColumnRule): Violation[] {
  const raw = `t.${q(`${c.name}__raw`)}`;
  const typed = `t.${q(c.name)}`;
  // Whitespace-only counts as missing; for text that needs the raw value, which only required
  // text columns carry (see needsRaw), so the common case stays a cheap NULL test.
  // `trim` copies the string, so it only runs when the first character is a blank or control
  // character; CASE evaluates its branches only for the rows that reach them.
  const present =
    c.sqlType === 'varchar' && c.nullable
      ? `${typed} is not null`
      : `(${raw} is not null and case when ascii(${raw}) > 32 then true else trim(${raw}) <> '' end)`;
  const out: Violation[] = [];
  if (!c.nullable) out.push({ when: `not (${present})`, reason: `${c.name}: missing` });
  // Only rows whose cast failed pay for the presence test.
  if (c.sqlType !== 'varchar') out.push({ when: `case when ${typed} is null then ${present} else false end`, reason: `${c.name}: not a valid ${c.sqlType}` });
  if (c.enum) out.push({ when: `${present} and ${typed} not in (${c.enum.map(lit).join(', ')})`, reason: `${c.name}: not one of ${c.enum.join('|')}` });
  if (c.minimum !== undefined) out.push({ when: `${typed} < ${Number(c.minimum)}`, reason: `${c.name}: below ${c.minimum}` });
  if (c.maximum !== undefined) out.push({ when: `${typed} > ${Number(c.maximum)}`, reason: `${c.name}: above ${c.maximum}` });
  if (c.minLength !== undefined && c.minLength > 1)
    out.push({
      when: `${present} and length(${c.sqlType === 'varchar' ? typed : `trim(${raw})`}) < ${Number(c.minLength)}`,
      reason: `${c.name}: shorter than ${c.minLength}`,
    });
  if (c.maxLength !== undefined) out.push({ when: `length(${raw}) > ${Number(c.maxLength)}`, reason: `${c.name}: longer than ${c.maxLength}` });
  if (c.json) out.push({ when: `${present} and not {{ is_json(${typed}) }}`, reason: `${c.name}: not valid JSON` });
  return out;
}

/** Raw text of a column is only carried where a rule needs it beyond the typed value. */
const needsRaw = (c: ColumnRule) => c.sqlType !== 'varchar' || c.maxLength !== undefined || !c.nullable;

/** Every column cast once, plus the raw text the rules need, the line and the reader's error. */
function typedProjection(s: SourceContract, from = '{{ raw }}', extra = ''): string {
  const cols = s.columns.flatMap((c) => [
    `${castExpr(c, `r.${q(c.name)}`)} as ${q(c.name)}`,
    ...(needsRaw(c) ? [`r.${q(c.name)} as ${q(`${c.name}__raw`)}`] : []),
  ]);
  return `(select ${cols.join(', ')}, r._line, r._error, r._raw${extra} from ${from} as r) as t`;
}

export function bronzeDdl(s: SourceContract): string {
  const cols = s.columns.map((c) => `  ${q(c.name)} ${c.sqlType}`).join(',\n');
  return `create table if not exists bronze.${s.name} (\n${cols},\n  _partition_date date,\n  _source_key varchar,\n  _line bigint,\n  _loaded_at timestamp\n)`;
}

/**
 * Three statements over `{{ raw }}`. (1) `findRejected`, run before the transaction (Snowflake
 * commits around DDL): the lines of rows that break a rule → `{{ rejected }}`; the validity is
 * evaluated once, over values cast once. Then, in one transaction after the partition's rows
 * for the file were deleted: (2) every other row → bronze (an anti-join against the few
 * rejected lines), (3) the rejected rows → ops.quarantine with their reasons, which are built
 * for those rows only. (2) and (3) split on the same line list, so each raw row lands in
 * exactly one place.
 */
export function splitSql(s: SourceContract): { findRejected: string; toBronze: string; toQuarantine: string } {
  const rules: Violation[] = [{ when: 't._error is not null', reason: 'unparsable line' }, ...s.columns.flatMap((c) => violations(c))];
  // A disjunction of NULL-safe rules, so it is never NULL: a row is rejected or it is not.
  const invalid = rules.map((v) => `coalesce(${v.when}, false)`).join(' or ');
  const reasons = `{{ join_reasons(case when t._error is not null then 'unparsable line: ' || t._error end, ${rules
    .slice(1)
    .map((v) => `case when ${v.when} then ${lit(v.reason)} end`)
    .join(', ')}) }}`;
  const cols = s.columns.map((c) => `t.${q(c.name)}`).join(', ');
  const findRejected = `create or replace table {{ rejected }} as select t._line from ${typedProjection(s)} where ${invalid}`;
  const accepted = `(select x.* from {{ raw }} as x where x._line not in (select _line from {{ rejected }}))`;
  const toBronze = `insert into bronze.${s.name} select ${cols}, cast($partition_date as date), $source_key, t._line, {{ now_utc() }} from ${typedProjection(s, accepted)}`;
  const rejectedRows = `(select x.* from {{ raw }} as x where x._line in (select _line from {{ rejected }}))`;
  const toQuarantine = `insert into ops.quarantine (partition_date, source, source_key, line, reasons, raw_record, quarantined_at) select cast($partition_date as date), ${lit(s.name)}, $source_key, t._line, ${reasons}, coalesce(t._raw, t._record), {{ now_utc() }} from ${typedProjection(s, rejectedRows, ', {{ row_json(r) }} as _record')}`;
  return { findRejected, toBronze, toQuarantine };
}
