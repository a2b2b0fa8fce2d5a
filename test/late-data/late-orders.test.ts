import { computeAttribution } from '../../activities/attribution/compute-attribution';
import { ATTRIBUTION_MODELS } from '../../activities/attribution/models';
import { NightlyPipeline } from '../../workflows';
import { nightlyWorkflowId } from '../../workflows/shared/names';
import { event, freshDeps, insertRows, order, rows } from '../support/fixtures';
import { createTestEnv, type TestEnv, type TestWorker } from '../support/temporal';
import { buildSilverDays, eventsCsv, landFile, ordersNdjson, type Ord } from './support';

/**
 * Issue #14.2: orders that land in a later day's files are attributed on their own date. The
 * nightly that loads them re-runs attribution for the earlier dates they touch (within the
 * documented lookback, DAG_LATE_DATA_LOOKBACK_DAYS = 7) and says so in its summary.
 */
let env: TestEnv;
let w: TestWorker;
beforeAll(async () => {
  env = await createTestEnv();
  w = await env.makeWorker();
});
afterAll(async () => {
  await w?.close();
  await env?.close();
});

const nightly = (date: string) =>
  env.client.workflow.execute(NightlyPipeline, { taskQueue: w.taskQueue, workflowId: nightlyWorkflowId(date), args: [{ date, review: false }] });
const lastTouch = (date: string) =>
  w.deps.warehouse.query<{ channel: string; conversions: number }>(
    `select channel, cast(conversions_credited as double) as conversions from gold.attribution
     where conversion_date = cast($d as date) and model = 'last_touch' and window_days = 7 order by channel`,
    { d: date },
  );

const D0 = '2025-04-10';
const D1 = '2025-04-11';
const LONG_AGO = '2025-03-30';
const d1Orders: Ord[] = [
  { id: 'y-1', client: 'y', at: `${D1} 09:05:00`, revenue: 30 },
  { id: 'late-x', client: 'x', at: `${D0} 23:55:00`, revenue: 50 },
  { id: 'ancient-z', client: 'z', at: `${LONG_AGO} 10:00:00`, revenue: 10 },
];

test('an order placed on D0 but delivered with D1 is attributed on D0 by the D1 nightly, which names the dates it touched', async () => {
  await landFile(
    w.deps.store,
    D0,
    'events.csv',
    eventsCsv([
      { id: 'x1', client: 'x', at: `${D0} 22:00:00`, utm: ['google', 'cpc'] },
      { id: 'w1', client: 'w', at: `${D0} 12:00:00` },
      { id: 'w2', client: 'w', at: `${D0} 12:05:00`, type: 'purchase', data: { order_id: 'w-1', revenue: 20 } },
    ]),
  );
  await landFile(w.deps.store, D0, 'orders.ndjson', ordersNdjson([{ id: 'w-1', client: 'w', at: `${D0} 12:05:00`, revenue: 20 }]));
  await landFile(
    w.deps.store,
    D1,
    'events.csv',
    eventsCsv([
      { id: 'y1', client: 'y', at: `${D1} 09:00:00`, referrer: 'https://www.google.com/' },
      { id: 'y2', client: 'y', at: `${D1} 09:05:00`, type: 'purchase', data: { order_id: 'y-1', revenue: 30 } },
      { id: 'z1', client: 'z', at: `${D1} 11:00:00` },
      // x comes back on D1 (after the late order, so not a touch of it).
      { id: 'x9', client: 'x', at: `${D1} 08:00:00` },
    ]),
  );
  await landFile(w.deps.store, D1, 'orders.ndjson', ordersNdjson(d1Orders));

  expect((await nightly(D0)).status).toBe('succeeded');
  expect(await lastTouch(D0)).toEqual([{ channel: 'direct', conversions: 1 }]);
  const r1 = await nightly(D1);
  expect(r1.status).toBe('succeeded');
  expect(await lastTouch(D0)).toEqual([
    { channel: 'direct', conversions: 1 },
    { channel: 'paid_search', conversions: 1 },
  ]);
  // Keyed by the order's own date: nothing of late-x on D1.
  expect(await lastTouch(D1)).toEqual([{ channel: 'organic_search', conversions: 1 }]);
  expect(r1.summary).toContain(`late data: 1 order dated ${D0} → attribution re-run for ${D0}..${D1}`);
  expect(r1.summary).toContain(`1 order older than the 7-day lookback (${LONG_AGO}) not re-attributed`);
  expect(await lastTouch(LONG_AGO)).toEqual([]);

  // D1 is corrected: the late order was a duplicate export. Re-running D1 re-attributes D0 without it.
  await landFile(w.deps.store, D1, 'orders.ndjson', ordersNdjson(d1Orders.filter((o) => o.id !== 'late-x')));
  const again = await nightly(D1);
  expect(again.summary).toContain(`attribution re-run for ${D0}..${D1}`);
  expect(await lastTouch(D0)).toEqual([{ channel: 'direct', conversions: 1 }]);
});

test('what attribution sees of a date is bounded by the lookback: orders delivered more than 7 days late never count, whenever it runs', async () => {
  const deps = await freshDeps();
  try {
    const day = '2026-11-01';
    await insertRows(deps.warehouse, 'bronze.events', [event('a', `${day} 10:00:00`, { utm_source: 'google', utm_medium: 'cpc' })]);
    await insertRows(deps.warehouse, 'bronze.orders', [
      order('on-time', 'a', `${day} 11:00:00`, 10),
      order('week-late', 'a', `${day} 12:00:00`, 20, { _partition_date: '2026-11-08' }),
      order('too-late', 'a', `${day} 13:00:00`, 40, { _partition_date: '2026-11-09' }),
    ]);
    await buildSilverDays(deps, [day, '2026-11-08', '2026-11-09']);
    await computeAttribution(deps, { from: day, to: day, windowDays: 7, models: [...ATTRIBUTION_MODELS], halfLifeDays: 7, firstWeight: 0.4, lastWeight: 0.4 });
    expect(
      await rows(
        deps.warehouse,
        `select cast(conversions_credited as double) as n, cast(revenue_credited as double) as r from gold.attribution where model = 'last_touch'`,
      ),
    ).toEqual([{ n: 2, r: 30 }]);
  } finally {
    await deps.warehouse.close();
  }
});
