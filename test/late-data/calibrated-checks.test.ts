import { runChecks, type ChecksOutcome } from '../../activities/quality/run-checks';
import type { SqlValue } from '../../adapters/warehouse/warehouse';
import type { ActivityDeps } from '../../lib/deps';
import { D, event, freshDeps, insertRows, order } from '../support/fixtures';
import { buildSilverDays } from './support';

/**
 * Issue #14.7: row-level checks calibrated for real data. orphan_purchases looks back over a
 * documented window of sessions (DAG_CHECK_SESSION_LOOKBACK_DAYS, default 30) and blocks on a
 * RATE of the day's orders (default 1 %), configurable per check with DAG_CHECKS.
 */
let deps: ActivityDeps;
afterEach(async () => deps?.warehouse.close());

const daysBefore = (n: number) => new Date(Date.parse(`${D}T00:00:00Z`) - n * 86_400_000).toISOString().slice(0, 10);
const check = async (o: ChecksOutcome, name: string) => o.results.find((r) => r.check === name)!;

/** `visitedDaysBefore[i]` = how many days before D client i visited (null: never). Each client orders once on D. */
async function day(visitedDaysBefore: (number | null)[]) {
  const events: Record<string, SqlValue>[] = [];
  const orders: Record<string, SqlValue>[] = [];
  const partitions = new Set<string>([D]);
  visitedDaysBefore.forEach((n, i) => {
    const client = `c${i}`;
    if (n !== null) {
      const p = daysBefore(n);
      partitions.add(p);
      events.push(event(client, `${p} 20:00:00`, { _partition_date: p, _source_key: `landing/${p}/events.csv` }));
    }
    orders.push(order(`o${i}`, client, `${D} 09:00:00`, 10));
  });
  // The day itself has traffic and revenue from someone else.
  events.push(event('regular', `${D} 08:00:00`));
  await insertRows(deps.warehouse, 'bronze.events', events);
  await insertRows(deps.warehouse, 'bronze.orders', orders);
  await buildSilverDays(deps, [...partitions].sort());
}

test('a real-shaped day — purchases days after the visit, one phone order in 200 — passes orphan_purchases', async () => {
  deps = await freshDeps();
  await day([...Array.from({ length: 199 }, (_, i) => 1 + (i % 29)), null]);
  const o = await runChecks(deps, { date: D, stage: 'silver', runId: 'real' });
  expect(await check(o, 'orphan_purchases')).toMatchObject({ status: 'pass', observed: 0.005, threshold: 0.01, sample: '1 of 200 orders: o199' });
  expect(o.failed).toEqual([]);
});

test('the lookback is 30 days inclusive; above the rate the check blocks and names the orders', async () => {
  deps = await freshDeps();
  await day([30, 31, 0, 0]);
  const o = await runChecks(deps, { date: D, stage: 'silver', runId: 'edge' });
  expect(await check(o, 'orphan_purchases')).toMatchObject({ status: 'fail', observed: 0.25, sample: '1 of 4 orders: o1' });
});

test('a session of a later partition never counts: the verdict does not depend on what arrived after the day', async () => {
  deps = await freshDeps();
  await day([-1, 0, 0, 0]);
  const o = await runChecks(deps, { date: D, stage: 'silver', runId: 'later' });
  expect(await check(o, 'orphan_purchases')).toMatchObject({ status: 'fail', observed: 0.25, sample: '1 of 4 orders: o0' });
});

test('the rate threshold and the lookback are configurable', async () => {
  deps = await freshDeps({ DAG_CHECKS: '{"orphan_purchases":{"threshold":0.3}}' });
  await day([30, 31, 0, 0]);
  expect(await check(await runChecks(deps, { date: D, stage: 'silver', runId: 'cfg' }), 'orphan_purchases')).toMatchObject({ status: 'pass', threshold: 0.3 });
  await deps.warehouse.close();
  deps = await freshDeps({ DAG_CHECK_SESSION_LOOKBACK_DAYS: '31' });
  await day([30, 31, 0, 0]);
  expect(await check(await runChecks(deps, { date: D, stage: 'silver', runId: 'cfg' }), 'orphan_purchases')).toMatchObject({ status: 'pass', observed: 0 });
});

test('negative revenue is a rate too: one refund in 2000 orders passes', async () => {
  deps = await freshDeps();
  await insertRows(deps.warehouse, 'bronze.events', [event('a', `${D} 08:00:00`)]);
  const orders = Array.from({ length: 2000 }, (_, i) => order(`o${i}`, 'a', `${D} 09:00:00`, i < 1 ? -5 : 10, { _line: i + 1 }));
  await insertRows(deps.warehouse, 'bronze.orders', orders);
  await buildSilverDays(deps, [D]);
  const o = await runChecks(deps, { date: D, stage: 'silver', runId: 'neg' });
  expect(await check(o, 'negative_revenue')).toMatchObject({ status: 'pass', observed: 0.0005, threshold: 0.001, sample: '1 of 2000 orders: o0' });
});
