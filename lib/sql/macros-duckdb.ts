import type { Macros } from './render';

/** DuckDB versions of the dialect macros (Snowflake's live in macros-snowflake.ts). */
export const duckdbMacros: Macros = {
  json_str: (col, key) => `json_extract_string(${col}, '$.' || ${key})`,
  json_num: (col, key) => `try_cast(json_extract(${col}, '$.' || ${key}) as double)`,
  /** ISO-8601 text (any offset) → UTC timestamp without zone, NULL when unparsable. */
  // Text ending in Z is already UTC and takes the plain TIMESTAMP cast, ~4× cheaper than the
  // time-zone-aware one (measured on 10M event timestamps); other offsets are converted.
  try_ts: (col) => `(case when ends_with(${col}, 'Z') then try_cast(${col} as timestamp) else try_cast(${col} as timestamptz) at time zone 'UTC' end)`,
  /** Text about to be cast: DuckDB's casts ignore surrounding blanks and read '' as NULL. */
  cast_text: (col) => col,
  try_num: (col) => `try_cast(${col} as double)`,
  try_int: (col) => `try_cast(${col} as bigint)`,
  is_json: (col) => `coalesce(json_valid(${col}), false)`,
  epoch_s: (ts) => `epoch(${ts})`,
  date_trunc_week: (ts) => `date_trunc('week', ${ts})`,
  hash_key: (expr) => `hash(${expr})`,
  now_utc: () => `(current_timestamp at time zone 'UTC')`,
  /** Joins the non-NULL messages with '; ' (NULL when all are NULL). */
  join_reasons: (...parts) => `nullif(concat_ws('; ', ${parts.join(', ')}), '')`,
  /** Host of an http(s) URL ('' → NULL). */
  url_host: (col) => `nullif(regexp_extract(${col}, '^[a-zA-Z]+://([^/?#:]+)', 1), '')`,
  /** Path of an http(s) URL without query or fragment. */
  url_path: (col) => `coalesce(nullif(regexp_extract(${col}, '^[a-zA-Z]+://[^/?#]+(/[^?#]*)', 1), ''), '/')`,
  json_array_length: (col, key) => `json_array_length(${col}, '$.' || ${key})`,
  /** Comma-separated list of the values (order as given by the subquery). */
  str_agg: (col) => `string_agg(${col}, ', ')`,
  /** Whole days from a to b (dates or timestamps). */
  days_between: (a, b) => `date_diff('day', cast(${a} as date), cast(${b} as date))`,
  /** Second-smallest value of a group (NULL for a group of one). */
  second_smallest: (col) => `min(${col}, 2)[2]`,
  try_date: (col) => `try_cast(${col} as date)`,
  /** NULL, NaN and ±Infinity are all "not a usable number". */
  is_finite: (col) => `coalesce(isfinite(${col}), false)`,
  /** The row of a table alias as JSON text, for quarantine records. */
  row_json: (alias) => `to_json(${alias})::varchar`,
};
