import { buildModel } from '../../activities/transform/build-model';
import { publishGold } from '../../activities/transform/publish-gold';
import type { Warehouse } from '../../adapters/warehouse/warehouse';
import type { ActivityDeps } from '../../lib/deps';
import type { SqlValue } from '../../adapters/warehouse/warehouse';
import { event, freshDeps, insertRows, order, rows } from '../support/fixtures';
import { buildGoldDay, buildSilverDays } from './support';

/**
 * Issue #14.3: whole-table models have history. Customers are a type-2 snapshot (valid_from /
 * valid_to from the CRM's updated_at, like a dbt timestamp snapshot) built from every delivery, so
 * a backfill of an old date reads the customer as of that date without rewriting the present; the
 * newest-only guard of whole-table gold marts is read inside the publishing transaction.
 */
let deps: ActivityDeps;
beforeEach(async () => {
  deps = await freshDeps();
});
afterEach(async () => deps.warehouse.close());

const OLD = '2026-10-01';
const NOW = '2026-11-01';
const cust = (id: string, email: string, updated: string, partition: string): Record<string, SqlValue> => ({
  customer_id: id,
  client_id: `cl_${id}`,
  email,
  country: 'de',
  created_at: '2026-09-01 00:00:00',
  updated_at: updated,
  _partition_date: partition,
  _source_key: `landing/${partition}/customers.csv.gz`,
  _line: 1,
  _loaded_at: `${partition} 01:00:00`,
});

test('a backfill of an old date leaves the current customers as they are; the snapshot answers "as of" that date', async () => {
  await insertRows(deps.warehouse, 'bronze.customers', [
    cust('c1', 'old@x.com', `${OLD} 08:00:00`, OLD),
    cust('c1', 'new@x.com', `${NOW} 09:00:00`, NOW),
    cust('c2', 'later@x.com', `${NOW} 10:00:00`, NOW),
  ]);
  const customers = async (date: string) => {
    for (const model of ['customer_snapshots', 'customers']) await buildModel(deps, { date, layer: 'silver', model });
  };
  await customers(NOW);
  const current = `select customer_id, email from silver.customers order by customer_id`;
  const present = [
    { customer_id: 'c1', email: 'new@x.com' },
    { customer_id: 'c2', email: 'later@x.com' },
  ];
  expect(await rows(deps.warehouse, current)).toEqual(present);

  await customers(OLD); // the backfill
  expect(await rows(deps.warehouse, current)).toEqual(present);

  const asOf = (date: string) =>
    rows(
      deps.warehouse,
      `select customer_id, email from silver.customer_snapshots
       where valid_from < cast('${date}' as date) + 1 and (valid_to is null or valid_to >= cast('${date}' as date) + 1)
       order by customer_id`,
    );
  expect(await asOf(OLD)).toEqual([{ customer_id: 'c1', email: 'old@x.com' }]);
  expect(await asOf(NOW)).toEqual(present);
  expect(
    await rows(
      deps.warehouse,
      `select email, cast(valid_from as varchar) as f, cast(valid_to as varchar) as t, is_current from silver.customer_snapshots where customer_id = 'c1' order by valid_from`,
    ),
  ).toEqual([
    { email: 'old@x.com', f: `${OLD} 08:00:00`, t: `${NOW} 09:00:00`, is_current: false },
    { email: 'new@x.com', f: `${NOW} 09:00:00`, t: null, is_current: true },
  ]);
});

/** A warehouse whose next transaction first lets `before` run to completion (a second backfill lane). */
function interleaved(wh: Warehouse, before: () => Promise<unknown>): Warehouse {
  let pending: (() => Promise<unknown>) | undefined = before;
  return new Proxy(wh, {
    get(target, prop, receiver) {
      if (prop !== 'transaction') return Reflect.get(target, prop, receiver) as unknown;
      return async (fn: Parameters<Warehouse['transaction']>[0]) => {
        const run = pending;
        pending = undefined;
        if (run) await run();
        return target.transaction(fn);
      };
    },
  });
}

test('two lanes publishing an old and the newest date at once: the old one never replaces the whole-table marts', async () => {
  for (const d of [OLD, NOW]) {
    await insertRows(deps.warehouse, 'bronze.events', [event('a', `${d} 10:00:00`, { _partition_date: d })]);
    await insertRows(deps.warehouse, 'bronze.orders', [order(`o-${d}`, 'a', `${d} 10:05:00`, 10, { _partition_date: d })]);
    await buildSilverDays(deps, [d]);
    await buildGoldDay(deps, d);
  }
  // The old date's publish decides, then the newest date's lane publishes before its transaction starts.
  const old = await publishGold({ ...deps, warehouse: interleaved(deps.warehouse, () => publishGold(deps, { date: NOW })) }, { date: OLD });
  expect(old.skipped.sort()).toEqual(['customer_rfm', 'monthly_revenue']);
  expect(await rows(deps.warehouse, `select distinct cast(as_of_date as varchar) as d from gold.customer_rfm`)).toEqual([{ d: NOW }]);
  expect(await rows(deps.warehouse, `select cast(month as varchar) as m, orders from gold.monthly_revenue order by 1`)).toEqual([
    { m: OLD, orders: 1 },
    { m: NOW, orders: 1 },
  ]);
});

test('two publications started at the same moment queue: whichever starts first, the newest date owns the whole-table marts', async () => {
  for (const d of [OLD, NOW]) {
    await insertRows(deps.warehouse, 'bronze.events', [event('a', `${d} 10:00:00`, { _partition_date: d })]);
    await insertRows(deps.warehouse, 'bronze.orders', [order(`o-${d}`, 'a', `${d} 10:05:00`, 10, { _partition_date: d })]);
    await buildSilverDays(deps, [d]);
  }
  for (const order of [
    [NOW, OLD],
    [OLD, NOW],
  ]) {
    for (const d of order) await buildGoldDay(deps, d);
    const results = await Promise.all(order.map((date) => publishGold(deps, { date })));
    expect(results.find((_, i) => order[i] === OLD)!.skipped.sort()).toEqual(['customer_rfm', 'monthly_revenue']);
    expect(await rows(deps.warehouse, `select distinct cast(as_of_date as varchar) as d from gold.customer_rfm`)).toEqual([{ d: NOW }]);
    expect(await rows(deps.warehouse, `select count(*) as n from gold.customer_rfm`)).toEqual([{ n: 1 }]);
  }
});

test('a corrected old date, re-run after newer ones: the whole-table marts show the correction, still as of the newest date', async () => {
  for (const d of [OLD, NOW]) {
    await insertRows(deps.warehouse, 'bronze.events', [event('a', `${d} 10:00:00`, { _partition_date: d })]);
    await insertRows(deps.warehouse, 'bronze.orders', [order(`o-${d}`, 'a', `${d} 10:05:00`, 10, { _partition_date: d })]);
  }
  for (const d of [OLD, NOW]) {
    await buildSilverDays(deps, [d]);
    await buildGoldDay(deps, d);
    await publishGold(deps, { date: d });
  }
  // The shop re-delivers the old day with an order it had missed; the day is re-run (a backfill).
  await insertRows(deps.warehouse, 'bronze.orders', [order('o-missed', 'b', `${OLD} 11:00:00`, 5, { _partition_date: OLD, _line: 2 })]);
  await buildSilverDays(deps, [OLD]);
  await buildGoldDay(deps, OLD);
  expect((await publishGold(deps, { date: OLD })).skipped.sort()).toEqual(['customer_rfm', 'monthly_revenue']);
  expect(await rows(deps.warehouse, `select cast(month as varchar) as m, orders, revenue from gold.monthly_revenue order by 1`)).toEqual([
    { m: OLD, orders: 2, revenue: 15 },
    { m: NOW, orders: 1, revenue: 10 },
  ]);
  expect(await rows(deps.warehouse, `select customer_id, cast(as_of_date as varchar) as d from gold.customer_rfm order by 1`)).toEqual([
    { customer_id: 'cu_a', d: NOW },
    { customer_id: 'cu_b', d: NOW },
  ]);
});
