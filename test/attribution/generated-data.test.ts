import { generateDemoData } from '../../activities/generate/generate-demo-data';
import { listLandingFiles } from '../../activities/ingest/landing';
import { loadBronzeFile } from '../../activities/ingest/load-bronze';
import { ATTRIBUTION_MODELS } from '../../activities/attribution/models';
import { attributionStaging } from '../../activities/attribution/staging';
import { verifyStagedAttribution } from '../../activities/attribution/verify';
import type { ActivityDeps } from '../../lib/deps';
import { renderSqlFile } from '../../lib/sql/render';
import { freshDeps } from '../support/fixtures';
import { attribute, buildSilver } from './support';

/** Three generated days (clients shared across days, so journeys span partitions) through bronze and silver. */
const DAYS = ['2026-11-01', '2026-11-02', '2026-11-03'];
let deps: ActivityDeps;
beforeAll(async () => {
  deps = await freshDeps();
  for (const date of DAYS) {
    await generateDemoData(deps, { date, rows: 6000, seed: 11, anomalies: false });
    for (const f of (await listLandingFiles(deps.store, date)).files) await loadBronzeFile(deps, { date, source: f.source, key: f.key });
  }
  await buildSilver(deps, DAYS);
}, 120_000);
afterAll(async () => deps?.warehouse.close());

const q = <T = Record<string, unknown>>(sql: string) => deps.warehouse.query(sql) as Promise<T[]>;

test.each([7, 30])('window %i: every model credits every order exactly once, to the cent', async (windowDays) => {
  const result = await attribute(deps, { from: DAYS[0], to: DAYS[2], windowDays });
  const [orders] = await q<{ n: number; cents: number }>(
    `select count(*) as n, cast(sum(round(revenue * 100)) as bigint) as cents from silver.orders where is_completed`,
  );
  expect(result.conversions).toBe(orders.n);
  expect(orders.n).toBeGreaterThan(300);
  // Multi-day journeys exist, so multi-touch models really split credit.
  expect(result.touches).toBeGreaterThan(result.conversions);
  const perModel = await q(
    `select model, sum(conversions_credited) as conversions, cast(sum(revenue_credited) * 100 as bigint) as cents, min(revenue_credited) >= 0 as non_negative
     from gold.attribution where window_days = ${windowDays} group by model order by model`,
  );
  expect(perModel).toEqual([...ATTRIBUTION_MODELS].sort().map((model) => ({ model, conversions: orders.n, cents: orders.cents, non_negative: true })));
  // Per day and channel, the window summary adds up and matches the last-touch model.
  const mismatches = await q(
    `select s.conversion_date, s.channel from gold.attribution_window_summary as s
     left join gold.attribution as a on a.conversion_date = s.conversion_date and a.channel = s.channel and a.window_days = s.window_days and a.model = 'last_touch'
     where s.window_days = ${windowDays} and s.channel <> 'unattributed'
       and (s.naive_conversions <> s.attributed_conversions + s.out_of_window_conversions
            or s.naive_revenue <> s.attributed_revenue + s.out_of_window_revenue
            or s.attributed_conversions <> coalesce(a.conversions_credited, 0)
            or s.attributed_revenue <> coalesce(a.revenue_credited, 0))`,
  );
  expect(mismatches).toEqual([]);
});

test('a longer window attributes at least as many conversions', async () => {
  const rows = await q<{ window_days: number; attributed: number; naive: number }>(
    `select window_days, sum(attributed_conversions) as attributed, sum(naive_conversions) as naive from gold.attribution_window_summary group by window_days order by window_days`,
  );
  expect(rows.map((r) => r.window_days)).toEqual([7, 30]);
  expect(rows[0].naive).toBe(rows[1].naive);
  expect(rows[1].attributed).toBeGreaterThanOrEqual(rows[0].attributed);
});

test('the gate refuses staged credits that are off by one cent or one micro-conversion', async () => {
  const staged = attributionStaging(DAYS[0], DAYS[2], 99);
  const params = { from_date: DAYS[0], to_date: DAYS[2], window_days: 7, late_lookback_days: 7 };
  await deps.warehouse.exec(`create or replace table ${staged.credits} as ${renderSqlFile('attribution/attribution_credits.sql', 'duckdb')}`, {
    ...params,
    half_life_days: 7,
    first_weight: 0.4,
    last_weight: 0.4,
  });
  await deps.warehouse.exec(`create or replace table ${staged.summary} as ${renderSqlFile('attribution/attribution_window_summary.sql', 'duckdb')}`, params);
  expect((await verifyStagedAttribution(deps.warehouse, staged)).problems).toEqual([]);
  await deps.warehouse.exec(`update ${staged.credits} set linear_cents = linear_cents + 1 where order_id = (select min(order_id) from ${staged.credits})`);
  await deps.warehouse.exec(
    `update ${staged.credits} set time_decay_units = time_decay_units - 1 where order_id = (select max(order_id) from ${staged.credits})`,
  );
  const { problems } = await verifyStagedAttribution(deps.warehouse, staged);
  expect(problems).toHaveLength(1);
  expect(problems[0]).toMatch(/^2 conversions whose credit does not sum to exactly 1 and their revenue \(e\.g\. o_\d+_\d+, o_\d+_\d+\)$/);
});
