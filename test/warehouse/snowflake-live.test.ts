import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { openWarehouse, withQueryTag } from '../../adapters/warehouse';
import type { Warehouse } from '../../adapters/warehouse/warehouse';
import { loadConfig } from '../../config/config';
import { snowflakeMacros } from '../../lib/sql/macros-snowflake';
import { registerMacros, renderSql } from '../../lib/sql/render';
import { MACRO_CASES } from './macro-cases';

/**
 * The real service, for what the emulator cannot show (see README "What fakesnow does not
 * cover"): runs when SNOWFLAKE_ACCOUNT, SNOWFLAKE_USER, SNOWFLAKE_DATABASE, SNOWFLAKE_WAREHOUSE and
 * SNOWFLAKE_PASSWORD or SNOWFLAKE_PRIVATE_KEY_PATH are set; creates the usual schemas in that
 * database and tables named live_test_*, dropped afterwards.
 */
const REQUIRED = ['SNOWFLAKE_ACCOUNT', 'SNOWFLAKE_USER', 'SNOWFLAKE_DATABASE', 'SNOWFLAKE_WAREHOUSE'];
const missing = REQUIRED.filter((k) => !process.env[k]);
if (!process.env.SNOWFLAKE_PASSWORD && !process.env.SNOWFLAKE_PRIVATE_KEY_PATH) missing.push('SNOWFLAKE_PASSWORD or SNOWFLAKE_PRIVATE_KEY_PATH');
const live = missing.length === 0;
// Jest prints no names for a file whose tests are all skipped, so say why in the output.
if (!live) console.warn(`Snowflake live suite skipped: set ${missing.join(', ')} to run it`);

(live ? describe : describe.skip)(live ? 'Snowflake live suite' : `Snowflake live suite — skipped: set ${missing.join(', ')} to run it`, () => {
  let wh: Warehouse;
  const tag = { workflow: 'LiveSuite', partition: new Date().toISOString().slice(0, 10), runId: `${process.pid}-${Date.now()}` };
  beforeAll(async () => {
    registerMacros('snowflake', snowflakeMacros);
    wh = withQueryTag(await openWarehouse(loadConfig({ ...process.env, DAG_WAREHOUSE: 'snowflake' })), tag);
  });
  afterAll(async () => {
    await wh?.exec('drop table if exists staging.live_test_params; drop table if exists bronze.live_test_orders').catch(() => undefined);
    await wh?.close();
  });

  test('bound values that look like SQL round-trip as data', async () => {
    const label = "x'); drop table staging.live_test_params; --";
    await wh.exec('create or replace table staging.live_test_params (label varchar)');
    await wh.exec('insert into staging.live_test_params values ($label)', { label });
    expect(await wh.query('select label, cast($d as double) * 2 as d from staging.live_test_params', { d: 1.25 })).toEqual([{ label, d: 2.5 }]);
  });

  test.each(MACRO_CASES)('macro: $name', async ({ sql, params, expected }) => {
    expect(await wh.query(renderSql(sql, 'snowflake'), params)).toEqual([{ v: expected }]);
  });

  test('loadRawFile: PUT to the internal stage, COPY with quoted fields and a ragged line', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dag-live-'));
    const file = path.join(dir, 'orders.csv');
    fs.writeFileSync(file, 'order_id,customer\n1,"Smith, Jane"\n2\n3,"say ""hi"""\n');
    try {
      const result = await wh.loadRawFile('bronze.live_test_orders', { path: file, format: 'csv', compression: 'none' }, ['order_id', 'customer']);
      expect(result).toEqual({ rows: 3, fileColumns: ['order_id', 'customer'] });
      const rows = await wh.query('select order_id, customer, _line, _error is not null as bad from bronze.live_test_orders order by _line');
      expect(rows).toEqual([
        { order_id: '1', customer: 'Smith, Jane', _line: 2, bad: false },
        { order_id: null, customer: null, _line: 3, bad: true },
        { order_id: '3', customer: 'say "hi"', _line: 4, bad: false },
      ]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('statements carry the QUERY_TAG in QUERY_HISTORY', async () => {
    await wh.query('select 1 as live_tag_probe');
    const rows = await wh.query<{ query_tag: string }>(
      `select query_tag from table(information_schema.query_history_by_user(result_limit => 200)) where query_text ilike '%live_tag_probe%' and query_text not ilike '%query_history%' order by start_time desc limit 1`,
    );
    expect(JSON.parse(rows[0].query_tag)).toEqual({ app: 'marketing-dag', ...tag });
  });
});
