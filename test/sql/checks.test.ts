import { buildModel } from '../../activities/transform/build-model';
import { publishGold } from '../../activities/transform/publish-gold';
import { runChecks, type ChecksOutcome } from '../../activities/quality/run-checks';
import type { ActivityDeps } from '../../lib/deps';
import { discoverChecks } from '../../activities/quality/checks';
import { discoverModels, planWaves } from '../../lib/sql/models';
import { D, event, freshDeps, insertRows, order } from '../support/fixtures';

let deps: ActivityDeps;
beforeEach(async () => {
  deps = await freshDeps();
});
afterEach(async () => deps.warehouse.close());

const SILVER = planWaves(discoverModels('silver'))
  .flat()
  .map((m) => m.name);
const GOLD = planWaves(discoverModels('gold'))
  .flat()
  .map((m) => m.name);
async function check(stage: 'silver' | 'gold', date = D): Promise<ChecksOutcome> {
  for (const model of SILVER) await buildModel(deps, { date, layer: 'silver', model });
  if (stage === 'gold') for (const model of GOLD) await buildModel(deps, { date, layer: 'gold', model });
  return runChecks(deps, { date, stage, runId: `t-${Math.random()}` });
}
const result = (o: ChecksOutcome, name: string) => o.results.find((r) => r.check === name)!;

/** A healthy day: a visit and a purchase late in the evening, one loaded file with no rejects. */
async function healthyDay(date = D) {
  await insertRows(deps.warehouse, 'bronze.events', [
    event('a', `${date} 22:00:00`, { _partition_date: date }),
    event('a', `${date} 22:05:00`, { _partition_date: date, event_type: 'add_to_cart' }),
    event('a', `${date} 22:06:00`, { _partition_date: date, event_type: 'checkout' }),
    event('a', `${date} 22:07:00`, { _partition_date: date, event_type: 'purchase', event_data: '{"order_id":"o1","revenue":40}' }),
  ]);
  await insertRows(deps.warehouse, 'bronze.orders', [order(`o-${date}`, 'a', `${date} 22:07:00`, 40, { _partition_date: date })]);
  await insertRows(deps.warehouse, 'ops.load_audit', [
    { partition_date: date, source: 'events', source_key: 'k', status: 'loaded', rows_read: 100, rows_quarantined: 1, loaded_at: `${date} 23:00:00` },
  ]);
}

test('every check has a header the runner understands', () => {
  const checks = discoverChecks();
  expect(checks.length).toBeGreaterThanOrEqual(12);
  for (const c of checks) expect(c.description.length).toBeGreaterThan(10);
});

test('a healthy day passes every silver and gold check', async () => {
  await healthyDay();
  const silver = await check('silver');
  expect(silver.results.filter((r) => r.status !== 'pass')).toEqual([]);
  const gold = await check('gold');
  expect(gold.results.filter((r) => r.status !== 'pass').map((r) => [r.check, r.status])).toEqual([['row_count_swing', 'not_evaluated']]);
});

test('negative revenue, orphan purchases and future timestamps block, naming offending keys', async () => {
  await healthyDay();
  await insertRows(deps.warehouse, 'bronze.orders', [order('neg', 'a', `${D} 10:00:00`, -5), order('orphan', 'nobody', `${D} 10:00:00`, 5)]);
  await insertRows(deps.warehouse, 'bronze.events', [
    event('a', '2027-12-01 10:00:00', { event_id: 'future' }),
    event('a', '2026-10-01 10:00:00', { event_id: 'ancient' }),
  ]);
  const o = await check('silver');
  expect(o.passed).toBe(false);
  expect(o.failed.sort()).toEqual(['future_timestamps', 'negative_revenue', 'orphan_purchases']);
  // Row-level checks block on a rate of the day's rows (test/late-data/calibrated-checks.test.ts).
  expect(result(o, 'negative_revenue')).toMatchObject({ observed: 0.333333, sample: '1 of 3 orders: neg', status: 'fail' });
  expect(result(o, 'orphan_purchases')).toMatchObject({ observed: 0.333333, sample: '1 of 3 orders: orphan' });
  expect(result(o, 'future_timestamps')).toMatchObject({ observed: 0.333333, sample: '2 of 6 events: ancient, future' });
  const [stored] = await deps.warehouse.query(`select count(*) as n from ops.dq_results where status = 'fail'`);
  expect(stored.n).toBe(3);
});

test('duplicates in bronze only warn (silver dedups), for every source by its contract key; silver key checks stay green', async () => {
  await healthyDay();
  await insertRows(deps.warehouse, 'bronze.events', [event('a', `${D} 09:00:00`, { event_id: 'twice' }), event('a', `${D} 09:00:00`, { event_id: 'twice' })]);
  // order_items' grain is (order_id, line_no): two lines of one order are no duplicate, the same line twice is.
  await insertRows(deps.warehouse, 'bronze.order_items', [
    { _partition_date: D, order_id: 'o7', line_no: 1, sku: 'a', quantity: 1, unit_price: 5 },
    { _partition_date: D, order_id: 'o7', line_no: 2, sku: 'b', quantity: 1, unit_price: 5 },
    { _partition_date: D, order_id: 'o8', line_no: 1, sku: 'a', quantity: 1, unit_price: 5 },
    { _partition_date: D, order_id: 'o8', line_no: 1, sku: 'a', quantity: 1, unit_price: 5 },
    { _partition_date: '2026-10-31', order_id: 'o9', line_no: 1, sku: 'a', quantity: 1, unit_price: 5 },
    { _partition_date: D, order_id: 'o9', line_no: 1, sku: 'a', quantity: 1, unit_price: 5 },
  ]);
  const o = await check('silver');
  expect(result(o, 'duplicate_keys_in_bronze')).toMatchObject({ status: 'warn', observed: 2, sample: 'events: twice, order_items: o8|1' });
  expect(result(o, 'silver_duplicate_keys').status).toBe('pass');
  expect(o.passed).toBe(true);
});

test('quarantine rate above the threshold blocks; the threshold is configurable', async () => {
  await healthyDay();
  await insertRows(deps.warehouse, 'ops.load_audit', [
    { partition_date: D, source: 'events', source_key: 'k2', status: 'loaded', rows_read: 100, rows_quarantined: 19, loaded_at: `${D} 23:00:00` },
  ]);
  // Judged per source against its threshold (DAG_MAX_QUARANTINE_RATE unless its contract sets one): observed = sources over.
  expect(result(await check('silver'), 'quarantine_rate')).toMatchObject({
    observed: 1,
    threshold: 0,
    status: 'fail',
    sample: 'events: 20 of 200 rows (10.0 % > 5.0 %)',
  });
  await deps.warehouse.close();
  deps = await freshDeps({ DAG_MAX_QUARANTINE_RATE: '0.2' });
  await healthyDay();
  await insertRows(deps.warehouse, 'ops.load_audit', [
    { partition_date: D, source: 'events', source_key: 'k2', status: 'loaded', rows_read: 100, rows_quarantined: 19, loaded_at: `${D} 23:00:00` },
  ]);
  expect(result(await check('silver'), 'quarantine_rate')).toMatchObject({ observed: 0, status: 'pass' });
});

test('a day without events or orders blocks (sources_present)', async () => {
  const o = await check('silver');
  expect(result(o, 'sources_present')).toMatchObject({ observed: 2, sample: 'events, orders', status: 'fail' });
  await insertRows(deps.warehouse, 'bronze.events', [event('a', `${D} 10:00:00`)]);
  expect(result(await check('silver'), 'sources_present')).toMatchObject({ observed: 1, sample: 'orders' });
});

test('a feed that stopped early warns on freshness; DAG_CHECKS can make it blocking', async () => {
  await insertRows(deps.warehouse, 'bronze.events', [event('a', `${D} 10:00:00`)]);
  expect(result(await check('silver'), 'freshness')).toMatchObject({ observed: 14, status: 'warn' });
  await deps.warehouse.close();
  deps = await freshDeps({ DAG_CHECKS: '{"freshness":{"severity":"blocking","threshold":12}}' });
  await insertRows(deps.warehouse, 'bronze.events', [event('a', `${D} 10:00:00`)]);
  const o = await check('silver');
  expect(result(o, 'freshness')).toMatchObject({ severity: 'blocking', threshold: 12, status: 'fail' });
  expect(o.failed).toEqual(['freshness', 'sources_present']);
});

test('a trading day without revenue blocks gold; purchases without checkout warn on the funnel', async () => {
  await insertRows(deps.warehouse, 'bronze.events', [
    event('a', `${D} 23:00:00`),
    event('a', `${D} 23:01:00`, { event_type: 'purchase', event_data: '{"revenue":0}' }),
  ]);
  const o = await check('gold');
  expect(result(o, 'revenue_on_trading_day')).toMatchObject({ observed: 0, status: 'fail' });
  expect(result(o, 'funnel_monotonic')).toMatchObject({ status: 'warn', sample: 'purchase' });
});

test('a swing in sessions against the previous published partition warns', async () => {
  await healthyDay('2026-10-31');
  await insertRows(deps.warehouse, 'bronze.events', [
    event('b', '2026-10-31 23:00:00', { _partition_date: '2026-10-31' }),
    event('c', '2026-10-31 23:00:00', { _partition_date: '2026-10-31' }),
  ]);
  await check('gold', '2026-10-31');
  await publishGold(deps, { date: '2026-10-31' });
  await healthyDay();
  const o = await check('gold');
  expect(result(o, 'row_count_swing')).toMatchObject({ observed: 0.6667, status: 'warn', sample: 'today 1, previous 3' });
});
