import type { Params } from '../../adapters/warehouse/warehouse';

/**
 * Each dialect macro with inputs and the answer every warehouse must give (DuckDB, Snowflake via
 * fakesnow, and live Snowflake in snowflake-live.test.ts).
 */
export interface Case {
  name: string;
  sql: string;
  params?: Params;
  expected: unknown;
}

const J = '{"a": "x", "n": 1.5, "s": "2.5", "l": [1, 2, 3]}';
// Inputs arrive as a column of a one-row subquery, as in the sql/ models (macros wrap columns).
const one = (expr: string) => `select ${expr} as v from (select $x as x) t`;
export const MACRO_CASES: Case[] = [
  { name: 'json_str reads a string field', sql: one(`{{ json_str(x, 'a') }}`), params: { x: J }, expected: 'x' },
  { name: 'json_str of a missing key is NULL', sql: one(`{{ json_str(x, 'missing') }}`), params: { x: J }, expected: null },
  { name: 'json_num reads a number', sql: one(`{{ json_num(x, 'n') }}`), params: { x: J }, expected: 1.5 },
  { name: 'json_num of a missing key is NULL', sql: one(`{{ json_num(x, 'missing') }}`), params: { x: J }, expected: null },
  { name: 'json_array_length counts an array', sql: one(`{{ json_array_length(x, 'l') }}`), params: { x: J }, expected: 3 },
  { name: 'try_ts converts an offset to UTC', sql: one(`{{ try_ts(x) }}`), params: { x: '2026-11-01T10:00:00+02:00' }, expected: '2026-11-01T08:00:00.000Z' },
  {
    name: 'try_ts keeps milliseconds of a Z time',
    sql: one(`{{ try_ts(x) }}`),
    params: { x: '2026-11-01T10:00:00.250Z' },
    expected: '2026-11-01T10:00:00.250Z',
  },
  {
    name: 'try_ts of garbage is NULL',
    sql: `select {{ try_ts(x) }} as v from (select $x as x union all select '2026-11-01T00:00:00Z') t order by v nulls first limit 1`,
    params: { x: 'not a time' },
    expected: null,
  },
  { name: 'try_ts of a Z time with an offset too is NULL', sql: one(`{{ try_ts(x) }}`), params: { x: '2026-11-01T10:00:00+02:00Z' }, expected: null },
  {
    name: 'try_ts of text ending in Z is NULL',
    sql: `select {{ try_ts(x) }} as v from (select $x as x union all select '2026-11-01T00:00:00Z') t order by v nulls first limit 1`,
    params: { x: 'soonZ' },
    expected: null,
  },
  {
    name: 'cast_text lets a padded time be read',
    sql: one(`{{ try_ts({{ cast_text(x) }}) }}`),
    params: { x: ' 2026-11-01T10:00:00Z ' },
    expected: '2026-11-01T10:00:00.000Z',
  },
  { name: 'cast_text lets a padded integer be read', sql: one(`{{ try_int({{ cast_text(x) }}) }}`), params: { x: ' 42 ' }, expected: 42 },
  { name: 'cast_text of blanks casts to NULL', sql: one(`{{ try_num({{ cast_text(x) }}) }}`), params: { x: '   ' }, expected: null },
  { name: 'try_num parses a decimal', sql: one(`{{ try_num(x) }}`), params: { x: '12.25' }, expected: 12.25 },
  { name: 'try_num of text is NULL', sql: one(`{{ try_num(x) }}`), params: { x: 'twelve' }, expected: null },
  { name: 'try_int parses an integer', sql: one(`{{ try_int(x) }}`), params: { x: '42' }, expected: 42 },
  { name: 'try_int of text is NULL', sql: one(`{{ try_int(x) }}`), params: { x: '4x2' }, expected: null },
  { name: 'is_json accepts an object', sql: one(`{{ is_json(x) }}`), params: { x: '{"a": [1, 2]}' }, expected: true },
  { name: 'is_json rejects broken text', sql: one(`{{ is_json(x) }}`), params: { x: '{"a": ' }, expected: false },
  { name: 'is_json of NULL is false', sql: `select {{ is_json(x) }} as v from (select cast(null as varchar) as x) t`, expected: false },
  { name: 'epoch_s keeps fractions', sql: one(`{{ epoch_s({{ try_ts(x) }}) }}`), params: { x: '2026-11-01T10:00:00.5Z' }, expected: 1793527200.5 },
  {
    name: 'date_trunc_week starts on Monday',
    sql: one(`{{ date_trunc_week({{ try_ts(x) }}) }}`),
    params: { x: '2026-11-05T13:00:00Z' },
    expected: '2026-11-02T00:00:00.000Z',
  },
  {
    name: 'days_between counts calendar days',
    sql: one(`{{ days_between({{ try_ts(x) }}, {{ try_ts('2026-11-05T01:00:00Z') }}) }}`),
    params: { x: '2026-11-01T23:00:00Z' },
    expected: 4,
  },
  {
    name: 'hash_key is stable and tells values apart',
    sql: one(`{{ hash_key(x) }} = {{ hash_key(x) }} and {{ hash_key(x) }} <> {{ hash_key(x || 'b') }}`),
    params: { x: 'a' },
    expected: true,
  },
  {
    name: 'now_utc is the current UTC time',
    sql: `select abs({{ epoch_s({{ now_utc() }}) }} - $now) < 300 as v`,
    params: { now: Date.now() / 1000 },
    expected: true,
  },
  { name: 'url_host finds the host', sql: one(`{{ url_host(x) }}`), params: { x: 'https://shop.example.com:8443/p/1?q=2' }, expected: 'shop.example.com' },
  { name: 'url_host of a relative URL is NULL', sql: one(`{{ url_host(x) }}`), params: { x: '/p/1' }, expected: null },
  { name: 'url_path finds the path', sql: one(`{{ url_path(x) }}`), params: { x: 'https://shop.example.com/p/1?q=2' }, expected: '/p/1' },
  { name: 'url_path of a bare host is /', sql: one(`{{ url_path(x) }}`), params: { x: 'https://shop.example.com' }, expected: '/' },
  { name: 'str_agg joins with commas', sql: `select {{ str_agg(x) }} as v from (select $x as x) t`, params: { x: 'only' }, expected: 'only' },
  // Contracts (issue #13 item 5): text without an offset is never read in the session's zone.
  { name: 'try_ts of text without an offset is NULL', sql: one(`{{ try_ts(x) }}`), params: { x: '2026-11-01T10:00:00' }, expected: null },
  { name: 'try_ts of a date alone is NULL', sql: one(`{{ try_ts(x) }}`), params: { x: '2026-11-01' }, expected: null },
  {
    name: 'try_ts reads a space and a ±hhmm offset',
    sql: one(`{{ try_ts(x) }}`),
    params: { x: '2026-11-01 10:00:00+0200' },
    expected: '2026-11-01T08:00:00.000Z',
  },
  {
    name: 'try_ts_in_zone reads wall time in the zone',
    sql: one(`{{ try_ts_in_zone(x, 'Asia/Tokyo') }}`),
    params: { x: '2026-11-01T10:00:00' },
    expected: '2026-11-01T01:00:00.000Z',
  },
  {
    name: 'try_ts_in_zone keeps an explicit offset',
    sql: one(`{{ try_ts_in_zone(x, 'Asia/Tokyo') }}`),
    params: { x: '2026-11-01T10:00:00+02:00' },
    expected: '2026-11-01T08:00:00.000Z',
  },
  {
    name: 'try_ts_in_zone follows daylight saving time',
    sql: one(`{{ try_ts_in_zone(x, 'Europe/Berlin') }}`),
    params: { x: '2026-03-29 03:30:00' },
    expected: '2026-03-29T01:30:00.000Z',
  },
  { name: 'try_ts_in_zone of garbage is NULL', sql: one(`{{ try_ts_in_zone(x, 'Europe/Berlin') }}`), params: { x: '2026-13-45 25:61:00' }, expected: null },
  { name: 'is_local_ts: a date and time without an offset', sql: one(`{{ is_local_ts(x) }}`), params: { x: '2026-11-01 10:00:00' }, expected: true },
  { name: 'is_local_ts: not with an offset', sql: one(`{{ is_local_ts(x) }}`), params: { x: '2026-11-01T10:00:00+02:00' }, expected: false },
  { name: 'is_local_ts: not for words', sql: one(`{{ is_local_ts(x) }}`), params: { x: 'yesterday 10am' }, expected: false },
  { name: 'ends_in_z ignores trailing blanks', sql: one(`{{ ends_in_z(x) }}`), params: { x: '2026-11-01T10:00:00Z ' }, expected: true },
  { name: 'has_fraction sees a decimal point', sql: one(`{{ has_fraction(x) }}`), params: { x: '1.5' }, expected: true },
  { name: 'has_fraction sees an exponent', sql: one(`{{ has_fraction(x) }}`), params: { x: '15e-1' }, expected: true },
  { name: 'has_fraction of a whole number is false', sql: one(`{{ has_fraction(x) }}`), params: { x: '15' }, expected: false },
  { name: 're_match searches like RegExp.test', sql: one(`{{ re_match(x, '[0-9]{3}') }}`), params: { x: 'order 123 shipped' }, expected: true },
  { name: 're_match keeps an escaped dot literal', sql: one(`{{ re_match(x, '^a\\.b$') }}`), params: { x: 'axb' }, expected: false },
  { name: 're_match matches an escaped dot', sql: one(`{{ re_match(x, '^a\\.b$') }}`), params: { x: 'a.b' }, expected: true },
  { name: 're_match is case-sensitive', sql: one(`{{ re_match(x, '^cl_') }}`), params: { x: 'CL_1' }, expected: false },
  { name: 're_match_i is not', sql: one(`{{ re_match_i(x, '^cl_') }}`), params: { x: 'CL_1' }, expected: true },
  {
    name: 'json_record builds an object under bound keys',
    sql: one(`{{ json_record($k, x) }}`),
    params: { k: 'clientId', x: 'cl_1' },
    expected: '{"clientId":"cl_1"}',
  },
  { name: 'join_reasons skips NULLs', sql: `select {{ join_reasons('a', cast(null as varchar), 'b') }} as v`, expected: 'a; b' },
  { name: 'join_reasons of only NULLs is NULL', sql: `select {{ join_reasons(cast(null as varchar), cast(null as varchar)) }} as v`, expected: null },
];
