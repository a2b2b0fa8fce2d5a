import { duckdbMacros } from '../../lib/sql/macros-duckdb';
import { snowflakeMacros } from '../../lib/sql/macros-snowflake';
import { registerMacros, renderSql } from '../../lib/sql/render';
import { BACKENDS, openBackend, type Backend } from './backends';
import { MACRO_CASES as CASES } from './macro-cases';

/**
 * Every dialect macro, rendered and run on each warehouse with the same inputs, must give the
 * same answer — the values below are what both DuckDB and Snowflake (via fakesnow) return.
 */
registerMacros('snowflake', snowflakeMacros);

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
    const [row] = await backend.warehouse.query<{ v: string }>(
      renderSql(`select {{ row_json(r) }} as v from (select 1 as id, 'x' as label, cast(null as varchar) as note) r`, backend.warehouse.dialect),
    );
    const parsed = JSON.parse(row.v) as Record<string, unknown>;
    expect(Object.fromEntries(Object.entries(parsed).map(([k, v]) => [k.toLowerCase(), v]))).toEqual({ id: 1, label: 'x', note: null });
  });
});

test('both dialects implement the same macros', () => {
  expect(Object.keys(snowflakeMacros).sort()).toEqual(Object.keys(duckdbMacros).sort());
});
