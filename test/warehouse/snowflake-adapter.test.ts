import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { openWarehouse, withQueryTag } from '../../adapters/warehouse';
import { loadConfig } from '../../config/config';
import { openBackend, type Backend } from './backends';

/**
 * What only the Snowflake adapter does, checked at the wire: the proxy in front of fakesnow
 * records every statement the real snowflake-sdk sent and can fail requests on demand.
 */
const run = process.env.DAG_TEST_WAREHOUSES && !process.env.DAG_TEST_WAREHOUSES.includes('snowflake') ? describe.skip : describe;

run('Snowflake adapter against fakesnow', () => {
  let b: Backend;
  const sent = (match: RegExp) => b.fakesnow!.proxy.queries.filter((q) => match.test(q.sqlText));
  beforeAll(async () => {
    b = await openBackend('snowflake');
  });
  afterAll(async () => b?.stop());

  test('withQueryTag sends QUERY_TAG with every statement; closing the tagged view keeps the pool', async () => {
    const tagged = withQueryTag(b.warehouse, { workflow: 'NightlyPipeline', partition: '2026-11-01' });
    await tagged.query('select 1 as tagged_probe');
    await tagged.close();
    await b.warehouse.query('select 2 as untagged_probe');
    expect(sent(/tagged_probe/).map((q) => q.parameters.QUERY_TAG)).toEqual([
      '{"app":"marketing-dag","workflow":"NightlyPipeline","partition":"2026-11-01"}',
      undefined,
    ]);
  });

  test('transient HTTP failures are retried until the statement runs', async () => {
    b.fakesnow!.proxy.injectFailures(1, 'http503');
    expect(await b.warehouse.query('select 7 as after_503')).toEqual([{ after_503: 7 }]);
    b.fakesnow!.proxy.injectFailures(1, 'reset');
    expect(await b.warehouse.query('select 8 as after_reset')).toEqual([{ after_reset: 8 }]);
    // The proxy drops failed requests before recording them, so each statement arrived once.
    expect(sent(/after_503|after_reset/)).toHaveLength(2);
  });

  test('a SQL error is not retried', async () => {
    await expect(b.warehouse.query('select * from staging.never_created_table')).rejects.toThrow(/never_created_table/i);
    expect(sent(/never_created_table/)).toHaveLength(1);
  });

  test('loadRawFile stages the file with PUT and loads it with one COPY, never row-by-row INSERTs', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dag-sf-'));
    const file = path.join(dir, 'rows.csv');
    fs.writeFileSync(file, 'id,v\n' + Array.from({ length: 500 }, (_, i) => `${i},value ${i}`).join('\n') + '\n');
    const before = b.fakesnow!.proxy.queries.length;
    const result = await b.warehouse.loadRawFile('bronze.bulk_probe', { path: file, format: 'csv', compression: 'none' }, ['id', 'v']);
    fs.rmSync(dir, { recursive: true, force: true });
    const statements = b.fakesnow!.proxy.queries.slice(before).map((q) => q.sqlText.trim().split(/\s+/).slice(0, 2).join(' ').toLowerCase());
    expect(result.rows).toBe(500);
    // The sdk sends the PUT a second time itself, to fetch a presigned upload URL for the file.
    expect(new Set(statements.filter((s) => s.startsWith('put ')).map((s) => path.basename(s)))).toEqual(new Set(['raw.csv.gz']));
    expect(statements.filter((s) => s === 'copy into')).toHaveLength(1);
    expect(statements.filter((s) => s.startsWith('insert'))).toHaveLength(0);
    expect(await b.warehouse.query('select count(distinct v) as n, max(_line) as last_line from bronze.bulk_probe')).toEqual([{ n: 500, last_line: 501 }]);
  });

  test('openWarehouse builds a Snowflake warehouse from environment settings', async () => {
    const c = b.fakesnow!.connection;
    const config = loadConfig({
      DAG_WAREHOUSE: 'snowflake',
      SNOWFLAKE_ACCOUNT: c.account,
      SNOWFLAKE_USER: c.username,
      SNOWFLAKE_PASSWORD: c.password,
      SNOWFLAKE_DATABASE: c.database,
      SNOWFLAKE_WAREHOUSE: c.warehouse,
      SNOWFLAKE_HOST: c.host,
      SNOWFLAKE_PORT: String(c.port),
      SNOWFLAKE_PROTOCOL: 'http',
    });
    const wh = await openWarehouse(config);
    try {
      expect(wh.dialect).toBe('snowflake');
      expect(await wh.query('select current_database() as db')).toEqual([{ db: 'DAG_TEST' }]);
    } finally {
      await wh.close();
    }
  });
});

test('openWarehouse opens DuckDB by default', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dag-wh-'));
  const wh = await openWarehouse(loadConfig({ DAG_DATA_DIR: dir }));
  try {
    expect(wh.dialect).toBe('duckdb');
    expect(withQueryTag(wh, { workflow: 'NightlyPipeline' })).toBe(wh);
    expect(
      await wh.query(`select count(*) as n from information_schema.schemata where schema_name in ('bronze', 'silver', 'gold', 'ops', 'ml', 'mmm', 'staging')`),
    ).toEqual([{ n: 7 }]);
  } finally {
    await wh.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
