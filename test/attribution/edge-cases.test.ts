import type { ActivityDeps } from '../../lib/deps';
import { freshDeps, insertRows } from '../support/fixtures';
import { attribute, buildSilver, credits, land, purchase, visit } from './support';

/**
 * The documented edge cases (sql/attribution/attribution_credits.sql header), one client each,
 * all converting on 2026-11-15:
 *   one    a single email touch 2 days before                     → email 100 % in every model
 *   none   a touch 20 days before: none in a 7-day window         → 'unattributed' (7), paid_social (30)
 *   early  orders at 09:00, first visits at 12:00 the same day    → 'unattributed' in every window
 *   edge   visit exactly 7 × 24 h before the order                → a touch (inclusive boundary)
 *   late   visit 7 × 24 h + 1 s before the order                  → out of the 7-day window
 *   direct only direct touches                                    → last_non_direct falls back to the last (direct)
 *   pair   two touches: position-based splits 40:40 as 50/50
 */
let deps: ActivityDeps;
const DAYS = ['2026-10-26', '2026-11-08', '2026-11-13', '2026-11-15'];
beforeAll(async () => {
  deps = await freshDeps();
  await land(
    deps,
    [
      visit('one', 'email', '2026-11-13 08:00:00'),
      visit('none', 'paid_social', '2026-10-26 10:00:00'),
      visit('early', 'paid_search', '2026-11-15 12:00:00'),
      visit('edge', 'email', '2026-11-08 10:00:00'),
      visit('late', 'paid_search', '2026-11-08 09:59:59'),
      visit('direct', 'direct', '2026-11-13 10:00:00'),
      visit('direct', 'direct', '2026-11-15 09:00:00'),
      visit('pair', 'organic_search', '2026-11-13 11:00:00'),
      visit('pair', 'paid_search', '2026-11-15 11:00:00'),
    ],
    [
      purchase('o_one', 'one', '2026-11-15 08:00:00', 10),
      purchase('o_none', 'none', '2026-11-15 10:00:00', 20),
      purchase('o_early', 'early', '2026-11-15 09:00:00', 30),
      purchase('o_edge', 'edge', '2026-11-15 10:00:00', 40),
      purchase('o_late', 'late', '2026-11-15 10:00:00', 50),
      purchase('o_direct', 'direct', '2026-11-15 10:00:00', 60),
      purchase('o_pair', 'pair', '2026-11-15 12:00:00', 0.01),
    ],
  );
  await buildSilver(deps, DAYS);
});
afterAll(async () => deps?.warehouse.close());

const byModel = async (windowDays: number, model: string, date = '2026-11-15') =>
  Object.fromEntries(
    (await credits(deps, windowDays, date)).filter((c) => c.model === model).map((c) => [c.channel, [c.conversions_credited, c.revenue_credited]]),
  );

test('7-day window: one touch, no touch, conversion before any session, inclusive boundary, direct-only fallback', async () => {
  await attribute(deps, { from: '2026-11-15', to: '2026-11-15', windowDays: 7 });
  // unattributed = none (20) + early (30) + late (50).
  expect(await byModel(7, 'first_touch')).toEqual({ email: [2, 50], unattributed: [3, 100], direct: [1, 60], organic_search: [1, 0.01] });
  expect(await byModel(7, 'last_touch')).toEqual({ email: [2, 50], unattributed: [3, 100], direct: [1, 60], paid_search: [1, 0.01] });
  expect(await byModel(7, 'last_non_direct')).toEqual({ email: [2, 50], unattributed: [3, 100], direct: [1, 60], paid_search: [1, 0.01] });
  // One cent over two touches: the first running share 0.5 rounds half away from zero to 1 ¢.
  expect(await byModel(7, 'position_based')).toEqual({
    email: [2, 50],
    unattributed: [3, 100],
    direct: [1, 60],
    organic_search: [0.5, 0.01],
    paid_search: [0.5, 0],
  });
  expect(await byModel(7, 'linear')).toEqual({ email: [2, 50], unattributed: [3, 100], direct: [1, 60], organic_search: [0.5, 0.01], paid_search: [0.5, 0] });
});

test('7 vs 30 days side by side: naive = attributed + out-of-window per channel', async () => {
  await attribute(deps, { from: '2026-11-15', to: '2026-11-15', windowDays: 30 });
  const summary = await deps.warehouse.query(
    `select window_days, channel, naive_conversions as naive, attributed_conversions as attributed, out_of_window_conversions as outside, out_of_window_revenue as outside_revenue
     from gold.attribution_window_summary order by window_days, channel`,
  );
  expect(summary).toEqual([
    { window_days: 7, channel: 'direct', naive: 1, attributed: 1, outside: 0, outside_revenue: 0 },
    { window_days: 7, channel: 'email', naive: 2, attributed: 2, outside: 0, outside_revenue: 0 },
    { window_days: 7, channel: 'paid_search', naive: 2, attributed: 1, outside: 1, outside_revenue: 50 },
    { window_days: 7, channel: 'paid_social', naive: 1, attributed: 0, outside: 1, outside_revenue: 20 },
    { window_days: 7, channel: 'unattributed', naive: 1, attributed: 0, outside: 1, outside_revenue: 30 },
    { window_days: 30, channel: 'direct', naive: 1, attributed: 1, outside: 0, outside_revenue: 0 },
    { window_days: 30, channel: 'email', naive: 2, attributed: 2, outside: 0, outside_revenue: 0 },
    { window_days: 30, channel: 'paid_search', naive: 2, attributed: 2, outside: 0, outside_revenue: 0 },
    { window_days: 30, channel: 'paid_social', naive: 1, attributed: 1, outside: 0, outside_revenue: 0 },
    { window_days: 30, channel: 'unattributed', naive: 1, attributed: 0, outside: 1, outside_revenue: 30 },
  ]);
  expect(await byModel(30, 'last_touch')).toEqual({ email: [2, 50], unattributed: [1, 30], direct: [1, 60], paid_search: [2, 50.01], paid_social: [1, 20] });
});

test('touches on the same timestamp are ordered by session_id', async () => {
  // Two sessions of one client starting on the same second (late data in another partition).
  await insertRows(deps.warehouse, 'bronze.orders', [purchase('o_tie', 'tie', '2026-11-14 12:00:00', 9)]);
  await buildSilver(deps, ['2026-11-14']);
  await insertRows(deps.warehouse, 'silver.sessions', [
    { session_id: 'tie-20261114-2', client_id: 'tie', session_start_at: '2026-11-14 10:00:00', channel: 'paid_search', partition_date: '2026-11-14' },
    { session_id: 'tie-20261114-1', client_id: 'tie', session_start_at: '2026-11-14 10:00:00', channel: 'email', partition_date: '2026-11-15' },
  ]);
  for (let run = 0; run < 2; run++) {
    await attribute(deps, { from: '2026-11-14', to: '2026-11-14', windowDays: 7 });
    expect(await byModel(7, 'first_touch', '2026-11-14')).toEqual({ email: [1, 9] });
    expect(await byModel(7, 'last_touch', '2026-11-14')).toEqual({ paid_search: [1, 9] });
    expect(await byModel(7, 'linear', '2026-11-14')).toEqual({ email: [0.5, 4.5], paid_search: [0.5, 4.5] });
  }
  const [summary] = await deps.warehouse.query(
    `select channel, attributed_conversions from gold.attribution_window_summary where conversion_date = date '2026-11-14'`,
  );
  expect(summary).toEqual({ channel: 'paid_search', attributed_conversions: 1 });
});

test('re-running a range replaces its rows (idempotent), other ranges are kept', async () => {
  const before = await deps.warehouse.query(`select count(*) as n, sum(revenue_credited) as r from gold.attribution`);
  await attribute(deps, { from: '2026-11-15', to: '2026-11-15', windowDays: 7 });
  await attribute(deps, { from: '2026-11-15', to: '2026-11-15', windowDays: 7 });
  expect(await deps.warehouse.query(`select count(*) as n, sum(revenue_credited) as r from gold.attribution`)).toEqual(before);
  expect(await deps.warehouse.query(`select count(*) as n from information_schema.tables where table_schema = 'staging'`)).toEqual([{ n: 0 }]);
});
