import type { Params } from '../../adapters/warehouse/warehouse';
import { duckdbMacros } from '../../lib/sql/macros-duckdb';
import { snowflakeMacros } from '../../lib/sql/macros-snowflake';
import { registerMacros, renderSql } from '../../lib/sql/render';
import { BACKENDS, openBackend, type Backend } from './backends';

/**
 * Every dialect macro, rendered and run on each warehouse with the same inputs, must give the
 * same answer — the values below are what both DuckDB and Snowflake (via fakesnow) return.
 */
registerMacros('snowflake', snowflakeMacros);

interface Case {
  name: string;
  sql: string;
  params?: Params;
  expected: unknown;
}

const J = '{"a": "x", "n": 1.5, "s": "2.5", "o": {"k": 1}}';
const CASES: Case[] = [
  { name: 'json_str reads a string field', sql: `select {{ json_str($j, 'a') }} as v`, params: { j: J }, expected: 'x' },
  { name: 'json_str of a missing key is NULL', sql: `select {{ json_str($j, 'missing') }} as v`, params: { j: J }, expected: null },
  { name: 'json_str of invalid JSON is NULL', sql: `select {{ json_str($j, 'a') }} as v`, params: { j: '{"a": ' }, expected: null },
  { name: 'json_num reads a number', sql: `select {{ json_num($j, 'n') }} as v`, params: { j: J }, expected: 1.5 },
  { name: 'json_num of a non-number is NULL', sql: `select {{ json_num($j, 'a') }} as v`, params: { j: J }, expected: null },
  { name: 'json_num of invalid JSON is NULL', sql: `select {{ json_num($j, 'n') }} as v`, params: { j: 'nope' }, expected: null },
  { name: 'try_ts converts an offset to UTC', sql: `select {{ try_ts($t) }} as v`, params: { t: '2026-11-01T10:00:00+02:00' }, expected: '2026-11-01T08:00:00.000Z' },
  { name: 'try_ts keeps milliseconds of a Z time', sql: `select {{ try_ts($t) }} as v`, params: { t: '2026-11-01T10:00:00.250Z' }, expected: '2026-11-01T10:00:00.250Z' },
  { name: 'try_ts of garbage is NULL', sql: `select {{ try_ts(t) }} as v from (select $t as t union all select '2026-11-01T00:00:00Z') x order by v nulls first limit 1`, params: { t: 'not a time' }, expected: null },
  { name: 'try_num parses a decimal', sql: `select {{ try_num($s) }} as v`, params: { s: '12.25' }, expected: 12.25 },
  { name: 'try_num of text is NULL', sql: `select {{ try_num($s) }} as v`, params: { s: 'twelve' }, expected: null },
  { name: 'try_int parses an integer', sql: `select {{ try_int($s) }} as v`, params: { s: '42' }, expected: 42 },
  { name: 'try_int of text is NULL', sql: `select {{ try_int($s) }} as v`, params: { s: '4x2' }, expected: null },
  { name: 'is_json accepts an object', sql: `select {{ is_json($s) }} as v`, params: { s: '{"a": [1, 2]}' }, expected: true },
  { name: 'is_json rejects broken text', sql: `select {{ is_json($s) }} as v`, params: { s: '{"a": ' }, expected: false },
  { name: 'is_json of NULL is false', sql: `select {{ is_json(s) }} as v from (select cast(null as varchar) as s) x`, expected: false },
  { name: 'epoch_s keeps fractions', sql: `select {{ epoch_s({{ try_ts($t) }}) }} as v`, params: { t: '2026-11-01T10:00:00.5Z' }, expected: 1793527200.5 },
  { name: 'date_trunc_week starts on Monday', sql: `select {{ date_trunc_week({{ try_ts($t) }}) }} as v`, params: { t: '2026-11-05T13:00:00Z' }, expected: '2026-11-02T00:00:00.000Z' },
  { name: 'hash_key is stable and tells values apart', sql: `select {{ hash_key('a') }} = {{ hash_key('a') }} and {{ hash_key('a') }} <> {{ hash_key('b') }} as v`, expected: true },
  { name: 'now_utc is the current UTC time', sql: `select abs({{ epoch_s({{ now_utc() }}) }} - $now) < 300 as v`, params: { now: Date.now() / 1000 }, expected: true },
  { name: 'join_reasons skips NULLs', sql: `select {{ join_reasons('a', cast(null as varchar), 'b') }} as v`, expected: 'a; b' },
  { name: 'join_reasons of only NULLs is NULL', sql: `select {{ join_reasons(cast(null as varchar), cast(null as varchar)) }} as v`, expected: null },
];

describe.each(BACKENDS)('SQL macros on %s', (name) => {
  let backend: Backend;
  beforeAll(async () => {
    backend = await openBackend(name);
  });
  afterAll(async () => backend?.stop());

  test.each(CASES)('$name', async ({ sql, params, expected }) => {
    const rows = await backend.warehouse.query(renderSql(sql, backend.warehouse.dialect), params);
    expect(rows).toEqual([{ v: expected }]);
  });

  test('row_json turns a row into JSON text (keys in the warehouse case)', async () => {
    const [row] = await backend.warehouse.query<{ v: string }>(renderSql(`select {{ row_json(r) }} as v from (select 1 as id, 'x' as label, cast(null as varchar) as note) r`, backend.warehouse.dialect));
    const parsed = JSON.parse(row.v) as Record<string, unknown>;
    expect(Object.fromEntries(Object.entries(parsed).map(([k, v]) => [k.toLowerCase(), v]))).toEqual({ id: 1, label: 'x', note: null });
  });
});

test('both dialects implement the same macros', () => {
  expect(Object.keys(snowflakeMacros).sort()).toEqual(Object.keys(duckdbMacros).sort());
});
