import type { BulkLoadSource, Params, RawColumn, RawLoadResult } from '../adapters/warehouse/warehouse';
import { fileFormat, type ColumnRule, type SourceContract } from './contract';

/**
 * Derives, from a contract, the SQL that splits a raw all-VARCHAR table into valid typed rows
 * (→ bronze) and rejected rows with their reasons (→ ops.quarantine). The result is a template
 * for lib/sql/render.ts: dialect differences are macros, table names are {{ vars }} and the
 * partition, file, reasons and the file's header names are bound parameters. Column names, enum
 * values and patterns come from the contract (checked when it was loaded), never from a file.
 */
const q = (col: string) => `"${col}"`;
const lit = (s: string) => `'${s.replace(/'/g, "''")}'`;

/** Whitespace-only counts as missing; `trim` (which copies) only runs when the first character is a blank or control character. */
const presentRaw = (raw: string) => `(${raw} is not null and case when ascii(${raw}) > 32 then true else trim(${raw}) <> '' end)`;

function castExpr(c: ColumnRule, src: string): string {
  // cast_text: DuckDB's casts already ignore surrounding blanks (so no trim, which copies every
  // string); Snowflake's macro trims.
  const v = `{{ cast_text(${src}) }}`;
  let typed: string;
  switch (c.sqlType) {
    case 'varchar':
      // Text is kept as delivered (only '' becomes NULL, or the default); silver decides about whitespace.
      return c.default === undefined ? `nullif(${src}, '')` : `coalesce(nullif(${src}, ''), ${lit(String(c.default))})`;
    case 'bigint':
      typed = `{{ try_int(${v}) }}`;
      break;
    case 'double':
      typed = `{{ try_num(${v}) }}`;
      break;
    case 'timestamp':
      return c.timeZone ? `{{ try_ts_in_zone(${v}, ${lit(c.timeZone)}) }}` : `{{ try_ts(${v}) }}`;
    case 'date':
      typed = `{{ try_date(${v}) }}`;
      break;
    case 'boolean':
      typed = `try_cast(nullif(trim(${src}), '') as boolean)`; // boolean casts do not ignore blanks
      break;
  }
  if (c.default === undefined) return typed;
  const dflt = c.sqlType === 'date' ? `cast(${lit(String(c.default))} as date)` : typeof c.default === 'string' ? lit(c.default) : String(c.default);
  return `coalesce(${typed}, case when ${presentRaw(src)} then null else ${dflt} end)`;
}

export interface Violation {
  /** SQL boolean over the typed projection `t` (see `typedProjection`), true when the rule is broken. */
  when: string;
  reason: string;
}

const NO_OFFSET = 'timestamp without a UTC offset (add Z or ±hh:mm, or declare the source’s timeZone)';
const INVALID: Record<ColumnRule['sqlType'], string> = {
  varchar: 'not valid text',
  bigint: 'not an integer',
  double: 'not a valid double',
  timestamp: 'not a valid timestamp',
  date: 'not a valid date',
  boolean: 'not a valid boolean',
};

/**
 * The rules a column's contract implies, in the order they are reported (the first one that fails
 * is the row's primary reason). They read the typed projection `t`, where each column is cast once
 * (`t."col"`) and its raw text kept as `t."col__raw"` where a rule needs it, so no cast is repeated.
 * `absent`: the file has no such column at all (every row gets the same, clearer reason).
 */
export function violations(c: ColumnRule, absent = false): Violation[] {
  const raw = `t.${q(`${c.name}__raw`)}`;
  const typed = `t.${q(c.name)}`;
  // Text columns that may be empty test the typed value (no raw copy is carried for them).
  const present = c.sqlType === 'varchar' && c.nullable && c.default === undefined ? `${typed} is not null` : presentRaw(raw);
  // With a default, the other rules judge only the value the file gave, not the default.
  const given = (cond: string) => (c.default === undefined ? cond : `${present} and ${cond}`);
  const out: Violation[] = [];
  const add = (when: string, reason: string) => out.push({ when, reason: `${c.name}: ${reason}` });
  if (!c.nullable) add(`not (${present})`, absent ? 'column not in the file' : 'missing');
  if (c.sqlType === 'timestamp') {
    // Only rows whose cast failed pay for telling "no offset" from "not a timestamp".
    if (!c.timeZone) add(`case when ${typed} is null then ${present} and {{ is_local_ts(${raw}) }} else false end`, NO_OFFSET);
    add(`case when ${typed} is null then ${present}${c.timeZone ? '' : ` and not {{ is_local_ts(${raw}) }}`} else false end`, INVALID.timestamp);
    if (c.utcOnly) add(`${typed} is not null and not {{ ends_in_z(${raw}) }}`, 'not in UTC (must end in Z; z.iso.datetime({ offset: true }) accepts offsets)');
  } else if (c.sqlType === 'bigint') {
    // Casts round 1.5 to 2: a value with a fraction or exponent must equal its integer.
    add(
      `case when ${typed} is null then ${present} else {{ has_fraction(${raw}) }} and {{ try_num({{ cast_text(${raw}) }}) }} <> ${typed} end`,
      INVALID.bigint,
    );
  } else if (c.sqlType === 'double') {
    add(`case when ${typed} is null then ${present} else not {{ is_finite(${typed}) }} end`, INVALID.double);
  } else if (c.sqlType !== 'varchar') {
    add(`case when ${typed} is null then ${present} else false end`, INVALID[c.sqlType]);
  }
  if (c.enum) add(given(`${present} and ${typed} not in (${c.enum.map(lit).join(', ')})`), `not one of ${c.enum.join('|')}`);
  if (c.minimum !== undefined) add(given(`${typed} < ${Number(c.minimum)}`), `below ${c.minimum}`);
  if (c.exclusiveMinimum !== undefined) add(given(`${typed} <= ${Number(c.exclusiveMinimum)}`), `not above ${c.exclusiveMinimum}`);
  if (c.maximum !== undefined) add(given(`${typed} > ${Number(c.maximum)}`), `above ${c.maximum}`);
  if (c.exclusiveMaximum !== undefined) add(given(`${typed} >= ${Number(c.exclusiveMaximum)}`), `not below ${c.exclusiveMaximum}`);
  if (c.multipleOf !== undefined) add(given(`${typed} % ${Number(c.multipleOf)} <> 0`), `not a multiple of ${c.multipleOf}`);
  if (c.minLength !== undefined && c.minLength > 1)
    add(given(`${present} and length(${c.sqlType === 'varchar' ? typed : `trim(${raw})`}) < ${Number(c.minLength)}`), `shorter than ${c.minLength}`);
  if (c.maxLength !== undefined) add(`length(${raw}) > ${Number(c.maxLength)}`, `longer than ${c.maxLength}`);
  for (const p of c.patterns ?? []) {
    const match = `{{ ${p.caseInsensitive ? 're_match_i' : 're_match'}(${typed}, ${lit(p.pattern)}) }}`;
    out.push({ when: given(`${present} and ${p.mustMatch ? 'not ' : ''}${match}`), reason: p.reason });
  }
  if (c.json) add(given(`${present} and not {{ is_json(${typed}) }}`), 'not valid JSON');
  return dedupe(out);
}

/** Rules that share a reason (the two halves of the URL rule) are reported once. */
function dedupe(vs: Violation[]): Violation[] {
  const by = new Map<string, string[]>();
  for (const v of vs) by.set(v.reason, [...(by.get(v.reason) ?? []), v.when]);
  return [...by].map(([reason, whens]) => ({ reason, when: whens.length === 1 ? whens[0] : whens.map((w) => `coalesce(${w}, false)`).join(' or ') }));
}

/** How a landing file of this source is read: its format (the contract's, else from the name), CSV dialect, and each column's headers (its name, then its aliases). */
export function rawLoadSpec(s: SourceContract, key: string): { source: Omit<BulkLoadSource, 'path'>; columns: RawColumn[] } {
  return {
    source: { ...fileFormat(key, s.format), ...(s.csv?.delimiter ? { delimiter: s.csv.delimiter } : {}) },
    columns: s.columns.map((c) => ({ name: c.name, headers: [c.name, ...(s.aliases[c.name] ?? [])] })),
  };
}

/** Declared columns the file lacks, and file columns the contract does not declare (aliases count as declared). */
export function fileColumnReport(s: SourceContract, file: Pick<RawLoadResult, 'fileColumns' | 'layout'>): { missingColumns: string[]; extraColumns: string[] } {
  const known = (h: string) => s.columns.some((c) => c.name === h || (s.aliases[c.name] ?? []).includes(h));
  const filled = file.layout
    ? new Set(file.layout.map((l) => l.column))
    : new Set(s.columns.filter((c) => file.fileColumns.some((h) => h === c.name || (s.aliases[c.name] ?? []).includes(h))).map((c) => c.name));
  return {
    missingColumns: s.columns.filter((c) => !filled.has(c.name)).map((c) => c.name),
    extraColumns: file.layout ? file.layout.filter((l) => l.column.startsWith('_extra_')).map((l) => l.header) : file.fileColumns.filter((h) => !known(h)),
  };
}

/** Raw text of a column is only carried where a rule needs it beyond the typed value. */
const needsRaw = (c: ColumnRule) => c.sqlType !== 'varchar' || c.maxLength !== undefined || !c.nullable || c.default !== undefined;

/** Every column cast once, plus the raw text the rules need, the line and the reader's error. */
function typedProjection(s: SourceContract, from = '{{ raw }}', extra = ''): string {
  const cols = s.columns.flatMap((c) => [
    `${castExpr(c, `r.${q(c.name)}`)} as ${q(c.name)}`,
    ...(needsRaw(c) ? [`r.${q(c.name)} as ${q(`${c.name}__raw`)}`] : []),
  ]);
  return `(select ${cols.join(', ')}, r._line, r._error, r._raw${extra} from ${from} as r) as t`;
}

/** The bronze table's columns, in order: the contract's, then the load's own. The single source of both the DDL and the insert. */
export function bronzeColumns(s: SourceContract): { name: string; type: string }[] {
  return [
    ...s.columns.map((c) => ({ name: c.name, type: c.sqlType })),
    { name: '_partition_date', type: 'date' },
    { name: '_source_key', type: 'varchar' },
    { name: '_line', type: 'bigint' },
    { name: '_loaded_at', type: 'timestamp' },
  ];
}

export function bronzeDdl(s: SourceContract): string {
  return `create table if not exists bronze.${s.name} (\n${bronzeColumns(s)
    .map((c) => `  ${q(c.name)} ${c.type}`)
    .join(',\n')}\n)`;
}

export interface SplitSql {
  findRejected: string;
  toBronze: string;
  toQuarantine: string;
  /** Bound values toQuarantine needs besides $partition_date and $source_key (reasons, header names). */
  params: Params;
}

/**
 * Three statements over `{{ raw }}`. (1) `findRejected`, run before the transaction (Snowflake
 * commits around DDL): the lines of rows that break a rule → `{{ rejected }}`; the validity is
 * evaluated once, over values cast once. Then, in one transaction after the partition's rows
 * for the file were deleted: (2) every other row → bronze (an anti-join against the few
 * rejected lines), naming its columns so the table's column order does not matter, (3) the
 * rejected rows → ops.quarantine with their primary reason (the first failing rule), the full
 * list, and the record as read. (2) and (3) split on the same line list, so each raw row lands in
 * exactly one place.
 *
 * `file` (the raw load's result) makes the quarantine record the file's own columns under the
 * file's own header names, including the ones the contract does not declare; without it (or for
 * NDJSON, whose lines are kept as read) the raw line or the contract's columns are recorded.
 */
export function splitSql(s: SourceContract, file?: Pick<RawLoadResult, 'fileColumns' | 'layout'>): SplitSql {
  const absent = new Set(file?.layout ? s.columns.filter((c) => !file.layout!.some((l) => l.column === c.name)).map((c) => c.name) : []);
  const rules = s.columns.flatMap((c) => violations(c, absent.has(c.name)));
  const params: Params = {};
  rules.forEach((r, i) => (params[`reason_${i}`] = r.reason));
  // A disjunction of NULL-safe rules, so it is never NULL: a row is rejected or it is not.
  const invalid = ['t._error is not null', ...rules.map((v) => `coalesce(${v.when}, false)`)].join(' or ');
  const each = rules.map((v, i) => `case when ${v.when} then $reason_${i} end`);
  // An unparsable line has no columns to judge: its reason is the reader's error alone.
  const parseError = `'unparsable line: ' || t._error`;
  const reasons = `case when t._error is not null then ${parseError} else {{ join_reasons(${each.join(', ')}) }} end`;
  const primary = `case when t._error is not null then ${parseError} else coalesce(${each.join(', ')}) end`;
  const record = `coalesce(t._raw, t._record)`;
  let recordSelect = ', {{ row_json(r) }} as _record';
  if (file?.layout?.length) {
    file.layout.forEach((l, i) => (params[`header_${i}`] = l.header));
    recordSelect = `, {{ json_record(${file.layout.map((l, i) => `$header_${i}, r.${q(l.column)}`).join(', ')}) }} as _record`;
  }
  const bronze = bronzeColumns(s).map((c) => q(c.name));
  const cols = s.columns.map((c) => `t.${q(c.name)}`).join(', ');
  const findRejected = `create or replace table {{ rejected }} as select t._line from ${typedProjection(s)} where ${invalid}`;
  const accepted = `(select x.* from {{ raw }} as x where x._line not in (select _line from {{ rejected }}))`;
  const toBronze = `insert into bronze.${s.name} (${bronze.join(', ')}) select ${cols}, cast($partition_date as date), $source_key, t._line, {{ now_utc() }} from ${typedProjection(s, accepted)}`;
  const rejectedRows = `(select x.* from {{ raw }} as x where x._line in (select _line from {{ rejected }}))`;
  const toQuarantine = `insert into ops.quarantine (partition_date, source, source_key, line, reason, reasons, raw_record, quarantined_at) select cast($partition_date as date), ${lit(s.name)}, $source_key, t._line, ${primary}, ${reasons}, ${record}, {{ now_utc() }} from ${typedProjection(s, rejectedRows, recordSelect)}`;
  return { findRejected, toBronze, toQuarantine, params };
}
