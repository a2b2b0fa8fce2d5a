import { buildModel } from '../../activities/transform/build-model';
import { publishGold } from '../../activities/transform/publish-gold';
import type { ActivityDeps } from '../../lib/deps';
import { discoverModels, planWaves } from '../../lib/sql/models';
import { D, event, freshDeps, insertRows, order, rows } from '../support/fixtures';

let deps: ActivityDeps;
beforeEach(async () => {
  deps = await freshDeps();
});
afterEach(async () => deps.warehouse.close());

async function buildAll(date = D) {
  for (const layer of ['silver', 'gold'] as const)
    for (const m of planWaves(discoverModels(layer)).flat()) await buildModel(deps, { date, layer, model: m.name });
}

/** Two users, three sessions; one session buys for €100 (order o1), one adds to cart. */
async function smallDay() {
  await insertRows(deps.warehouse, 'bronze.events', [
    event('a', '2026-11-01 09:00:00', { utm_source: 'google', utm_medium: 'cpc' }),
    event('a', '2026-11-01 09:05:00', { event_type: 'add_to_cart' }),
    event('a', '2026-11-01 09:06:00', { event_type: 'checkout' }),
    event('a', '2026-11-01 09:07:00', { event_type: 'purchase', event_data: '{"order_id":"o1","revenue":100}' }),
    event('a', '2026-11-01 15:00:00'),
    event('b', '2026-11-01 12:00:00', { referrer: 'https://www.google.com/' }),
    event('b', '2026-11-01 12:01:00', { event_type: 'add_to_cart' }),
  ]);
  await insertRows(deps.warehouse, 'bronze.orders', [order('o1', 'a', '2026-11-01 09:07:00', 100)]);
}

test('daily KPIs, funnel and channel performance on a hand-computed day', async () => {
  await smallDay();
  await buildAll();
  const staged = (m: string) => `staging.${m}__20261101`;
  expect(await rows(deps.warehouse, `select sessions, users, conversions, revenue, average_order_value, conversion_rate from ${staged('daily_kpis')}`)).toEqual(
    [{ sessions: 3, users: 2, conversions: 1, revenue: 100, average_order_value: 100, conversion_rate: 0.3333 }],
  );
  expect(await rows(deps.warehouse, `select step, sessions, rate_from_previous, rate_from_start from ${staged('funnel_daily')} order by step_order`)).toEqual([
    { step: 'page_view', sessions: 3, rate_from_previous: null, rate_from_start: 1 },
    { step: 'add_to_cart', sessions: 2, rate_from_previous: 0.6667, rate_from_start: 0.6667 },
    { step: 'checkout', sessions: 1, rate_from_previous: 0.5, rate_from_start: 0.3333 },
    { step: 'purchase', sessions: 1, rate_from_previous: 1, rate_from_start: 0.3333 },
  ]);
  expect(await rows(deps.warehouse, `select channel, sessions, conversions, revenue from ${staged('channel_daily')} order by channel`)).toEqual([
    { channel: 'direct', sessions: 1, conversions: 0, revenue: 0 },
    { channel: 'organic_search', sessions: 1, conversions: 0, revenue: 0 },
    { channel: 'paid_search', sessions: 1, conversions: 1, revenue: 100 },
  ]);
});

test('RFM scores and segments as of the partition', async () => {
  const orders = [
    order('x1', 'loyal', '2026-10-30 10:00:00', 50),
    order('x2', 'loyal', '2026-10-31 10:00:00', 50),
    order('x3', 'loyal', '2026-11-01 10:00:00', 50),
    order('y1', 'once', '2026-11-01 10:00:00', 500),
    order('z1', 'gone', '2026-06-01 10:00:00', 10),
  ];
  await insertRows(deps.warehouse, 'bronze.orders', orders);
  await buildAll();
  expect(
    await rows(
      deps.warehouse,
      `select customer_id, recency_days, frequency, monetary, r_score, f_score, m_score from staging.customer_rfm__20261101 order by customer_id`,
    ),
  ).toEqual([
    { customer_id: 'cu_gone', recency_days: 153, frequency: 1, monetary: 10, r_score: 2, f_score: 1, m_score: 2 },
    { customer_id: 'cu_loyal', recency_days: 0, frequency: 3, monetary: 150, r_score: 5, f_score: 3, m_score: 4 },
    { customer_id: 'cu_once', recency_days: 0, frequency: 1, monetary: 500, r_score: 5, f_score: 1, m_score: 5 },
  ]);
  const segs = await rows<{ customer_id: string; segment: string }>(deps.warehouse, `select customer_id, segment from staging.customer_rfm__20261101`);
  expect(Object.fromEntries(segs.map((s) => [s.customer_id, s.segment]))).toEqual({ cu_gone: 'hibernating', cu_loyal: 'champions', cu_once: 'new' });
});

test('publishing swaps the partition in; an older backfilled partition does not roll whole-table marts back', async () => {
  await smallDay();
  await buildAll();
  const first = await publishGold(deps, { date: D });
  expect(first.published.sort()).toEqual(['channel_daily', 'customer_rfm', 'daily_kpis', 'funnel_daily', 'monthly_revenue']);
  expect(await rows(deps.warehouse, `select count(*) as n from information_schema.tables where table_schema = 'staging'`)).toEqual([{ n: 0 }]);
  await insertRows(deps.warehouse, 'bronze.events', [event('old', '2026-10-15 10:00:00', { _partition_date: '2026-10-15' })]);
  await buildAll('2026-10-15');
  const older = await publishGold(deps, { date: '2026-10-15' });
  expect(older.skipped.sort()).toEqual(['customer_rfm', 'monthly_revenue']);
  expect(await rows(deps.warehouse, `select cast(as_of_date as varchar) as d from gold.customer_rfm limit 1`)).toEqual([{ d: D }]);
  expect(await rows(deps.warehouse, `select cast(partition_date as varchar) as d, sessions from gold.daily_kpis order by 1`)).toEqual([
    { d: '2026-10-15', sessions: 1 },
    { d: D, sessions: 3 },
  ]);
});
