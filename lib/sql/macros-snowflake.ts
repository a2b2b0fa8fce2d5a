import { TS_LOCAL as TS_LOCAL_DUCKDB, TS_WITH_OFFSET as TS_WITH_OFFSET_DUCKDB } from './macros-duckdb';

/**
 * Snowflake versions of the dialect macros (DuckDB's are in macros-duckdb.ts, same keys). Each
 * takes SQL expressions written in our own sql/ files and returns SQL text.
 * Notes on choices:
 * - TRY_TO_DOUBLE / TRY_TO_NUMBER accept only text, so their input is cast to varchar first
 *   (a no-op for the VARCHAR raw columns, and it keeps them working on numbers).
 * - JSON: TRY_PARSE_JSON (NULL for invalid text, like DuckDB's json_* on bad input) + GET_PATH.
 * - Timestamps: TRY_CAST to TIMESTAMP_TZ keeps the text's offset, CONVERT_TIMEZONE('UTC', …)
 *   then ::TIMESTAMP_NTZ gives the UTC wall time DuckDB's `at time zone 'UTC'` gives.
 * - DATE_TRUNC('week') starts weeks on Monday with the default WEEK_START = 0, as DuckDB does.
 * - hash_key: Snowflake's HASH (signed 64-bit) — a different function from DuckDB's hash
 *   (unsigned 64-bit); use it for keys and grouping, never compare values across warehouses.
 */
// TS_LOCAL's trailing `$` is implied: REGEXP_LIKE matches the whole value.
const TS_LOCAL = TS_LOCAL_DUCKDB.replace(/\$$/, '');
const TS_WITH_OFFSET = TS_WITH_OFFSET_DUCKDB.replace(/\$$/, '');
const snowflakeTryTs = (col: string) =>
  `case when regexp_like((${col})::varchar, '.*${TS_WITH_OFFSET}') then convert_timezone('UTC', try_cast((${col})::varchar as timestamp_tz))::timestamp_ntz end`;
const snowflakeRegexLiteral = (literal: string) => literal.replace(/\\/g, '\\\\');

export const snowflakeMacros: Record<string, (...args: string[]) => string> = {
  json_str: (col, key) => `get_path(try_parse_json(${col}), ${key})::varchar`,
  json_num: (col, key) => `try_to_double(get_path(try_parse_json(${col}), ${key})::varchar)`,
  /** ISO-8601 text with an explicit offset → UTC timestamp without zone; NULL when unparsable or without an offset. */
  try_ts: snowflakeTryTs,
  /** Like try_ts, and text without an offset is wall time in `zone` (an IANA name literal). */
  // Text without an offset is read as TIMESTAMP_TZ in the session zone (UTC, set on every
  // statement) and its wall time kept (::timestamp_ntz): TRY_CAST to TIMESTAMP_NTZ directly is not
  // reliable on every front end (fakesnow raises on garbage).
  try_ts_in_zone: (col, zone) =>
    `coalesce(${snowflakeTryTs(col)}, case when regexp_like((${col})::varchar, '.*${TS_LOCAL}') then convert_timezone(${zone}, 'UTC', try_cast((${col})::varchar as timestamp_tz)::timestamp_ntz) end)`,
  is_local_ts: (col) =>
    `coalesce(case when regexp_like((${col})::varchar, '.*${TS_LOCAL}') then try_cast((${col})::varchar as timestamp_tz) is not null end, false)`,
  ends_in_z: (col) => `endswith(rtrim(${col}), 'Z')`,
  has_fraction: (col) => `(contains(${col}, '.') or contains(lower(${col}), 'e'))`,
  /**
   * A contract's pattern, searched (REGEXP_LIKE would match the whole value). Snowflake reads
   * backslashes in string literals as escapes, so the pattern literal's are doubled.
   */
  re_match: (col, pattern) => `(regexp_instr(${col}, ${snowflakeRegexLiteral(pattern)}) > 0)`,
  re_match_i: (col, pattern) => `(regexp_instr(${col}, ${snowflakeRegexLiteral(pattern)}, 1, 1, 0, 'i') > 0)`,
  /** JSON object text from key, value, key, value… (Snowflake objects list their keys sorted). */
  // Keys are cast: a bound key alone is not accepted there by every Snowflake front end (fakesnow's parser).
  json_record: (...kv) => `to_json(object_construct_keep_null(${kv.map((x, i) => (i % 2 === 0 ? `cast(${x} as varchar)` : x)).join(', ')}))`,
  /** Text about to be cast, trimmed ('' → NULL): Snowflake's conversions are stricter about blanks. */
  cast_text: (col) => `nullif(trim(${col}), '')`,
  try_num: (col) => `try_to_double((${col})::varchar)`,
  try_int: (col) => `try_cast(try_to_decimal((${col})::varchar, 38, 0) as bigint)`,
  is_json: (col) => `coalesce(try_parse_json(${col}) is not null, false)`,
  epoch_s: (ts) => `(date_part(epoch_microsecond, ${ts}) / 1e6)`,
  date_trunc_week: (ts) => `date_trunc('week', ${ts})`,
  hash_key: (expr) => `hash(${expr})`,
  now_utc: () => `convert_timezone('UTC', current_timestamp())::timestamp_ntz`,
  /** Host of an absolute URL, NULL when there is none (regexp_substr 'e' returns capture group 1). */
  url_host: (col) => `nullif(regexp_substr(${col}, '^[a-zA-Z]+://([^/?#:]+)', 1, 1, 'e', 1), '')`,
  url_path: (col) => `coalesce(nullif(regexp_substr(${col}, '^[a-zA-Z]+://[^/?#]+(/[^?#]*)', 1, 1, 'e', 1), ''), '/')`,
  json_array_length: (col, key) => `array_size(get_path(try_parse_json(${col}), ${key}))`,
  str_agg: (col) => `listagg(${col}, ', ')`,
  days_between: (a, b) => `datediff('day', cast(${a} as date), cast(${b} as date))`,
  /** Joins the non-NULL messages with '; ' (NULL when all are NULL); Snowflake's concat_ws is NULL if any part is. */
  join_reasons: (...parts) => `nullif(substr(${parts.map((p) => `coalesce('; ' || ${p}, '')`).join(' || ')}, 3), '')`,
  /** Second-smallest value of a group (NULL for a group of one). */
  second_smallest: (col) => `array_sort(array_agg(${col}))[1]::double`,
  try_date: (col) => `try_to_date((${col})::varchar)`,
  /** A date n days later (n may be negative or a bound parameter). */
  add_days: (d, n) => `cast(dateadd(day, ${n}, cast(${d} as date)) as date)`,
  /** The type models store integer sums as: what Snowflake's sum() of integers returns (see macros-duckdb.ts). */
  int_sum_type: () => 'number(38, 0)',
  /** NULL, NaN and ±Infinity are all "not a usable number". */
  is_finite: (col) => `coalesce(${col} not in ('NaN'::double, 'inf'::double, '-inf'::double), false)`,
  /** The row of a table alias as JSON text, for quarantine records (keys are upper case on Snowflake). */
  row_json: (alias) => `to_json(object_construct_keep_null(${alias}.*))`,
};
