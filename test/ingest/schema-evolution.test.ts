import { buildModel } from '../../activities/transform/build-model';
import { LocalObjectStore } from '../../adapters/object-store/local/local-object-store';
import { bootstrapWarehouse } from '../../lib/bootstrap';
import type { ActivityDeps } from '../../lib/deps';
import { createLogger } from '../../lib/logger';
import { SchemaChangeError, tableColumns } from '../../lib/schema-evolution';
import { insertRows, order } from '../support/fixtures';
import { tempDataDir, testConfig } from '../support/temporal';
import { BACKENDS, openBackend, type Backend } from '../warehouse/backends';

/**
 * Schema evolution on an existing warehouse (#13 item 6), on DuckDB and on Snowflake (fakesnow):
 * a table that lacks a column its contract / model / DDL declares gets it at worker start; a
 * column removed or retyped in the code fails the start with one line. A table "from before a
 * column was added" is made here by dropping that column from a bootstrapped warehouse.
 */
describe.each(BACKENDS)('schema evolution on %s', (name) => {
  let b: Backend;
  let deps: ActivityDeps;
  beforeEach(async () => {
    b = await openBackend(name);
    await bootstrapWarehouse(b.warehouse);
    deps = {
      config: await testConfig(),
      warehouse: b.warehouse,
      store: new LocalObjectStore(tempDataDir('evolve-')),
      logger: createLogger({ level: 'error' }),
    };
  }, 120_000);
  afterEach(async () => b?.stop());

  const columns = async (table: string) => (await tableColumns(b.warehouse, b.warehouse.dialect, table))?.map((c) => c.name);

  test('a contract column the bronze table lacks is added at start; rows loaded before read NULL', async () => {
    await insertRows(b.warehouse, 'bronze.orders', [order('o1', 'c1', '2026-11-01 10:00:00', 12.5)]);
    await b.warehouse.exec(`alter table bronze.orders drop column "status"`);
    expect(await columns('bronze.orders')).not.toContain('status');
    await bootstrapWarehouse(b.warehouse);
    expect(await columns('bronze.orders')).toContain('status');
    expect(await b.warehouse.query(`select order_id, status from bronze.orders`)).toEqual([{ order_id: 'o1', status: null }]);
  });

  test('a bronze column the contract no longer declares fails the start with one line', async () => {
    await b.warehouse.exec(`alter table bronze.orders add column "coupon" varchar`);
    const err = await bootstrapWarehouse(b.warehouse).catch((e: Error) => e);
    expect(err).toBeInstanceOf(SchemaChangeError);
    expect((err as Error).message).toBe(
      'bronze.orders has column "coupon", which contract orders (contracts/orders.contract.ts) no longer declares: declare it again, or drop it yourself once nothing reads it (alter table bronze.orders drop column "coupon"); the worker never drops data',
    );
  });

  test('a retyped bronze column fails the start with one line', async () => {
    await b.warehouse.exec(`alter table bronze.orders drop column "revenue"`);
    await b.warehouse.exec(`alter table bronze.orders add column "revenue" varchar`);
    const err = await bootstrapWarehouse(b.warehouse).catch((e: Error) => e);
    expect(err).toBeInstanceOf(SchemaChangeError);
    expect((err as Error).message).toMatch(
      /^bronze\.orders column "revenue" is (VARCHAR|TEXT) but contract orders \(contracts\/orders\.contract\.ts\) now declares (DOUBLE|FLOAT): restore the type, or migrate the column yourself \(add a column of the new type, copy, drop the old one\); the worker never converts data$/,
    );
  });

  test('a model table gains the column its SELECT added, and model inserts go by name', async () => {
    const date = '2026-11-01';
    await insertRows(b.warehouse, 'bronze.orders', [order('o1', 'c1', `${date} 10:00:00`, 12.5, { currency: 'GBP', status: 'refunded' })]);
    await buildModel(deps, { date, layer: 'silver', model: 'fx_rates' }); // orders convert money with it (#14)
    await buildModel(deps, { date, layer: 'silver', model: 'order_items' });
    await buildModel(deps, { date, layer: 'silver', model: 'orders' });
    // The table from before `status` existed, with its text columns in another order.
    const before = 'currency, client_id, order_id, customer_id, ordered_at, revenue, is_completed, item_lines, item_quantity, items_amount, partition_date';
    await b.warehouse.exec(`create table silver.orders_before as select ${before} from silver.orders limit 0`);
    await b.warehouse.exec(`drop table silver.orders`);
    await b.warehouse.exec(`create table silver.orders as select * from silver.orders_before`);
    await b.warehouse.exec(`drop table silver.orders_before`);
    expect(await columns('silver.orders')).toEqual(before.split(', '));
    await bootstrapWarehouse(b.warehouse);
    expect(await columns('silver.orders')).toContain('status');
    await buildModel(deps, { date, layer: 'silver', model: 'orders' });
    expect(await b.warehouse.query(`select order_id, client_id, currency, status from silver.orders`)).toEqual([
      { order_id: 'o1', client_id: 'c1', currency: 'GBP', status: 'refunded' },
    ]);
  });

  test('an operational table gains the columns its DDL added (older warehouses)', async () => {
    await b.warehouse.exec(`alter table ops.load_audit drop column run_id`);
    await bootstrapWarehouse(b.warehouse);
    expect(await columns('ops.load_audit')).toContain('run_id');
  });
});

/**
 * Stop 23: models store integer sums as BIGINT, not DuckDB's HUGEINT (a bit-packed HUGEINT column
 * scans ~100× slower; bench/RESULTS.md). A warehouse built before keeps working: its columns are
 * converted at worker start, rows kept; a value that does not fit stops the start with one line.
 */
describe('integer sums stored as HUGEINT by older DuckDB warehouses', () => {
  let b: Backend;
  beforeEach(async () => {
    b = await openBackend('duckdb');
    await bootstrapWarehouse(b.warehouse);
    await b.warehouse.exec(
      `insert into silver.sessions by name select 's1' as session_id, 'c1' as client_id, 2 as session_number, 5 as pageviews, 1 as purchases, 7 as event_count, date '2026-11-01' as partition_date`,
    );
    for (const c of ['session_number', 'pageviews', 'purchases']) await b.warehouse.exec(`alter table silver.sessions alter column ${c} set data type hugeint`);
  }, 120_000);
  afterEach(async () => b?.stop());

  const types = async () => Object.fromEntries(((await tableColumns(b.warehouse, 'duckdb', 'silver.sessions')) ?? []).map((c) => [c.name, c.type]));

  test('are converted to BIGINT at start, with their rows', async () => {
    expect((await types()).session_number).toBe('HUGEINT');
    await bootstrapWarehouse(b.warehouse);
    expect(await types()).toMatchObject({ session_number: 'BIGINT', pageviews: 'BIGINT', purchases: 'BIGINT', event_count: 'BIGINT' });
    expect(await b.warehouse.query(`select session_id, session_number, pageviews, purchases from silver.sessions`)).toEqual([
      { session_id: 's1', session_number: 2, pageviews: 5, purchases: 1 },
    ]);
  });

  test('a value beyond BIGINT stops the start with one line and leaves the column as it was', async () => {
    await b.warehouse.exec(`update silver.sessions set pageviews = cast(2 as hugeint) ^ 70`);
    const err = await bootstrapWarehouse(b.warehouse).catch((e: Error) => e);
    expect(err).toBeInstanceOf(SchemaChangeError);
    expect((err as Error).message).toMatch(
      /^silver\.sessions column "pageviews" is HUGEINT and sql\/silver\/ddl\/sessions\.sql now declares BIGINT, but a value does not fit \(.+\): correct that row, then start the worker again$/,
    );
    expect((await types()).pageviews).toBe('HUGEINT');
  });
});
