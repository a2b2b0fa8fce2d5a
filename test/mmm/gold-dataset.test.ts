import { generateAdSpend } from '../../activities/mmm/ad-spend';
import { parseCsv } from '../../activities/mmm/csv';
import { prepareMmmDataset, type PrepareDatasetInput } from '../../activities/mmm/prepare-dataset';
import { PAID_CHANNELS, weeklyAdSpend } from '../../generator/ad-spend';
import type { ActivityDeps } from '../../lib/deps';
import { freshDeps } from '../support/fixtures';

// Gold as the nightly publishes it, for 60 weeks (2025-01-06..2026-03-01): revenue of day i is
// 1000 + i, paid_search sessions swing week to week (100..400), the other channels are flat.
const FIRST = '2025-01-06';
const WEEKS = 60;
const LAST_DAY = '2026-03-01';
let deps: ActivityDeps;

beforeAll(async () => {
  deps = await freshDeps();
  const wh = deps.warehouse;
  await wh.exec(
    `create table gold.daily_kpis (partition_date date, sessions bigint, users bigint, conversions bigint, revenue double, average_order_value double, conversion_rate double)`,
  );
  await wh.exec(
    `create table gold.channel_daily (partition_date date, channel varchar, sessions bigint, users bigint, conversions bigint, revenue double, conversion_rate double)`,
  );
  const days = `select cast(d as date) as day, cast(date_diff('day', cast($first as date), cast(d as date)) as integer) as i from range(cast($first as date), cast($last as date) + 1, interval 1 day) as t(d)`;
  await wh.exec(`insert into gold.daily_kpis select day, 500, 400, 10, 1000 + i, 100, 0.02 from (${days})`, { first: FIRST, last: LAST_DAY });
  await wh.exec(
    `insert into gold.channel_daily select day, c.channel, case when c.channel = 'paid_search' then 100 + 100 * ((i // 7) % 4) else c.n end, 0, 0, 0, 0
     from (${days}) cross join (values ('paid_search', 0), ('paid_social', 80), ('display', 20), ('email', 40), ('direct', 90)) as c(channel, n)`,
    { first: FIRST, last: LAST_DAY },
  );
});
afterAll(() => deps.warehouse.close());

const input = (over: Partial<PrepareDatasetInput> = {}): PrepareDatasetInput => ({
  runId: 'gold-run',
  from: FIRST,
  to: LAST_DAY,
  country: 'FR',
  source: { kind: 'gold', demoSpend: true, seed: 42 },
  minWeeks: 52,
  iterations: 50,
  trials: 1,
  seed: 1,
  ...over,
});

test('demo spend follows the paid sessions in gold, is deterministic, and a re-run replaces it', async () => {
  const first = await generateAdSpend(deps, { from: FIRST, to: LAST_DAY, country: 'FR', seed: 42 });
  expect(first).toEqual({ weeks: WEEKS, firstWeek: FIRST, lastWeek: '2026-02-23' });
  await generateAdSpend(deps, { from: FIRST, to: LAST_DAY, country: 'FR', seed: 42 });
  const rows = await deps.warehouse.query<{ w: string; spend: number; clicks: number }>(
    `select cast(week_start as varchar) as w, paid_search_spend as spend, paid_search_clicks as clicks from mmm.ad_spend where country = 'FR' order by w`,
  );
  expect(rows).toHaveLength(WEEKS);
  // Spend per paid session stays within the ±25 % bid noise around the channel's cost per session.
  rows.forEach((r, week) => {
    const sessions = 7 * (100 + 100 * (week % 4));
    expect(r.spend / sessions).toBeGreaterThanOrEqual(0.85 * 0.75);
    expect(r.spend / sessions).toBeLessThanOrEqual(0.85 * 1.25);
  });
  const sessions = rows.map((_, week) => 100 + 100 * (week % 4));
  expect(
    correlation(
      sessions,
      rows.map((r) => r.spend),
    ),
  ).toBeGreaterThan(0.9);
  const again = weeklyAdSpend([{ weekStart: FIRST, channel: 'paid_search', sessions: 700 }], { country: 'FR', seed: 42 });
  expect(again[0].paid_search_spend).toBe(rows[0].spend);
  expect(weeklyAdSpend([{ weekStart: FIRST, channel: 'paid_search', sessions: 700 }], { country: 'FR', seed: 43 })[0].paid_search_spend).not.toBe(
    rows[0].spend,
  );
});

test('the gold dataset: weekly revenue from gold.daily_kpis beside the spend, one row per week', async () => {
  const ready = await prepareMmmDataset(deps, input());
  expect(ready).toMatchObject({
    weeks: WEEKS,
    firstWeek: FIRST,
    lastWeek: '2026-02-23',
    source: 'gold',
    paidMediaSpends: PAID_CHANNELS.map((c) => c.spendColumn),
  });
  const { columns, rows } = parseCsv((await deps.store.get(ready.inputKey)).toString());
  expect(columns).toEqual([
    'week_start',
    'revenue',
    'paid_search_spend',
    'paid_social_spend',
    'display_spend',
    'paid_search_clicks',
    'paid_social_impressions',
    'display_impressions',
    'competitor_index',
    'is_promo_week',
    'newsletter_sends',
  ]);
  // Week w holds days 7w..7w+6: revenue 7 * 1000 + (7w + 3) * 7.
  rows.forEach((r, w) => expect(Number(r.revenue)).toBe(7000 + 7 * (7 * w + 3)));
  expect(rows.filter((r) => r.is_promo_week === '1').map((r) => r.week_start)).toEqual(['2025-11-24', '2025-12-29']); // Black Friday's week, ISO week 1 (New Year's sale)
});

test('gold with a missing day and a missing week, and negative spend: every problem listed in one message', async () => {
  await deps.warehouse.exec(
    `delete from gold.daily_kpis where partition_date = date '2025-03-05' or partition_date between date '2025-06-02' and date '2025-06-08'`,
  );
  await deps.warehouse.exec(`update mmm.ad_spend set display_spend = -3 where week_start = date '2025-09-01'`);
  const err = await prepareMmmDataset(deps, input({ source: { kind: 'gold', demoSpend: false, seed: 42 } })).catch((e) => e);
  expect(err).toMatchObject({ type: 'InvalidDataset', nonRetryable: true });
  expect(err.message).toBe(
    'MMM dataset gold for FR 2025-01-06..2026-03-01 is not usable (3 problems): 1) weeks with incomplete gold.daily_kpis: 2025-03-03 (6 of 7 days); ' +
      '2) revenue: no value in 1 week (2025-06-02); 3) display_spend: negative in 1 week (2025-09-01: -3)',
  );
});

test('a market without spend rows gets one problem saying so, not one per column', async () => {
  await expect(prepareMmmDataset(deps, input({ country: 'NL', source: { kind: 'gold', demoSpend: false, seed: 42 } }))).rejects.toThrow(
    'MMM dataset gold for NL 2025-01-06..2026-03-01 is not usable (1 problem): 1) no mmm.ad_spend rows for NL in 2025-01-06..2026-03-01: load the market\'s spend, or run with source {"kind": "gold", "demoSpend": true}',
  );
});

function correlation(xs: number[], ys: number[]): number {
  const mean = (a: number[]) => a.reduce((s, x) => s + x, 0) / a.length;
  const mx = mean(xs);
  const my = mean(ys);
  const cov = xs.reduce((s, x, i) => s + (x - mx) * (ys[i] - my), 0);
  const sx = Math.sqrt(xs.reduce((s, x) => s + (x - mx) ** 2, 0));
  const sy = Math.sqrt(ys.reduce((s, y) => s + (y - my) ** 2, 0));
  return cov / (sx * sy);
}
