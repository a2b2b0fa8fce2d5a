import type { ActivityDeps } from '../../lib/deps';
import { freshDeps } from '../support/fixtures';
import { attribute, buildSilver, credits, land, purchase, visit } from './support';

/**
 * One client, three touches and one €100 purchase, worked out by hand:
 *   paid_search 2026-11-01 10:00 (14 days before) → email 2026-11-08 10:00 (7 days) → direct
 *   2026-11-15 10:00, the order o1 2026-11-15 10:00 (the direct session's second).
 * With a 30-day window and a 7-day half-life the time-decay weights are 0.25 : 0.5 : 1, i.e.
 * 1/7, 2/7, 4/7. Cents and micro-conversions come from cumulative rounding: running share
 * 1/7 → round(1428.57) = 1429 ¢, 3/7 → round(4285.71) = 4286 ¢, 7/7 → 10000 ¢, so the touches get
 * 14.29, 28.57, 57.14; linear 1/3, 2/3 → 3333, 6667 → 33.33, 33.34, 33.33.
 */
let deps: ActivityDeps;
beforeAll(async () => {
  deps = await freshDeps();
  await land(
    deps,
    [visit('a', 'paid_search', '2026-11-01 10:00:00'), visit('a', 'email', '2026-11-08 10:00:00'), visit('a', 'direct', '2026-11-15 10:00:00')],
    [purchase('o1', 'a', '2026-11-15 10:00:00', 100)],
  );
  await buildSilver(deps, ['2026-11-01', '2026-11-08', '2026-11-15']);
  await attribute(deps, { from: '2026-11-15', to: '2026-11-15', windowDays: 30, halfLifeDays: 7 });
});
afterAll(async () => deps?.warehouse.close());

const row = (model: string, channel: string, conversions: number, revenue: number) => ({
  model,
  channel,
  conversions_credited: conversions,
  revenue_credited: revenue,
});

test('paid_search → email → direct, €100: the exact credit of every model', async () => {
  expect(await credits(deps, 30)).toEqual([
    row('first_touch', 'paid_search', 1, 100),
    row('last_non_direct', 'email', 1, 100),
    row('last_touch', 'direct', 1, 100),
    row('linear', 'direct', 0.333333, 33.33),
    row('linear', 'email', 0.333334, 33.34),
    row('linear', 'paid_search', 0.333333, 33.33),
    row('position_based', 'direct', 0.4, 40),
    row('position_based', 'email', 0.2, 20),
    row('position_based', 'paid_search', 0.4, 40),
    row('time_decay', 'direct', 0.571429, 57.14),
    row('time_decay', 'email', 0.285714, 28.57),
    row('time_decay', 'paid_search', 0.142857, 14.29),
  ]);
});

test('the window summary of the same order: attributed to its last touch', async () => {
  expect(await deps.warehouse.query(`select * exclude (conversion_date) from gold.attribution_window_summary`)).toEqual([
    {
      channel: 'direct',
      window_days: 30,
      naive_conversions: 1,
      naive_revenue: 100,
      attributed_conversions: 1,
      attributed_revenue: 100,
      out_of_window_conversions: 0,
      out_of_window_revenue: 0,
    },
  ]);
});

test('configurable weights: position-based 30/50 and a 14-day half-life', async () => {
  await attribute(deps, {
    from: '2026-11-15',
    to: '2026-11-15',
    windowDays: 30,
    models: ['position_based', 'time_decay'],
    firstWeight: 0.3,
    lastWeight: 0.5,
    halfLifeDays: 14,
  });
  // Half-life 14: weights 0.5 : 0.70711 : 1 (sum 2.20711) → running shares 0.226541, 0.546918, 1
  // → 2265 ¢, 5469 ¢, 10000 ¢ and 226541, 546918, 1000000 micro-conversions.
  const got = (await credits(deps, 30, null, { halfLifeDays: 14, firstWeight: 0.3, lastWeight: 0.5 })).filter(
    (c) => c.model === 'position_based' || c.model === 'time_decay',
  );
  expect(got).toEqual([
    row('position_based', 'direct', 0.5, 50),
    row('position_based', 'email', 0.2, 20),
    row('position_based', 'paid_search', 0.3, 30),
    row('time_decay', 'direct', 0.453082, 45.31),
    row('time_decay', 'email', 0.320377, 32.04),
    row('time_decay', 'paid_search', 0.226541, 22.65),
  ]);
  // The other models of the range were left alone, and so were the defaults' rows of these two.
  expect((await credits(deps, 30)).filter((c) => c.model === 'first_touch')).toEqual([row('first_touch', 'paid_search', 1, 100)]);
  expect((await credits(deps, 30)).filter((c) => c.model === 'position_based')).toEqual([
    row('position_based', 'direct', 0.4, 40),
    row('position_based', 'email', 0.2, 20),
    row('position_based', 'paid_search', 0.4, 40),
  ]);
});
