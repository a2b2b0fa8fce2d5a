import { generateDemoData } from '../../activities/generate/generate-demo-data';
import { listLandingFiles } from '../../activities/ingest/landing';
import { loadBronzeFile } from '../../activities/ingest/load-bronze';
import { runChecks } from '../../activities/quality/run-checks';
import type { ActivityDeps } from '../../lib/deps';
import { freshDeps, rows } from '../support/fixtures';
import { buildSilverDays } from './support';

/**
 * The demo generator's late-data world: daily FX rates, customers paying in GBP and USD, and (with
 * lateArrivals) visits crossing midnight into the next day's file and orders delivered a day late
 * — each day generated on its own, neighbours agreeing.
 */
const D0 = '2026-11-01';
const D1 = '2026-11-02';
let deps: ActivityDeps;
beforeAll(async () => {
  deps = await freshDeps();
  for (const date of [D0, D1]) {
    const m = await generateDemoData(deps, { date, rows: 6000, seed: 8, anomalies: false, lateArrivals: true });
    expect(m.lateArrivals).toEqual({ continuedVisits: 3, lateOrders: 2, crossingVisits: 3, purchasesOrderedLater: 2 });
    for (const f of (await listLandingFiles(deps.store, date)).files) await loadBronzeFile(deps, { date, source: f.source, key: f.key });
  }
  await buildSilverDays(deps, [D0, D1]);
}, 120_000);
afterAll(async () => deps?.warehouse.close());

test('every file holds its own day, except what the scenario carries over; rates and currencies are plausible', async () => {
  expect(
    await rows(
      deps.warehouse,
      `select cast(_partition_date as varchar) as p, count(*) as n from bronze.events where cast(event_ts as date) <> _partition_date group by 1 order by 1`,
    ),
  ).toEqual([]);
  expect(
    await rows(deps.warehouse, `select count(*) as n from bronze.orders where _partition_date = date '${D1}' and cast(ordered_at as date) = date '${D0}'`),
  ).toEqual([{ n: 2 }]);
  const fx = await rows<{ quote_currency: string; rate: number }>(
    deps.warehouse,
    `select quote_currency, rate from bronze.fx_rates where rate_date = date '${D0}' and _partition_date = date '${D0}' order by 1`,
  );
  expect(fx.map((r) => r.quote_currency)).toEqual(['CHF', 'GBP', 'SEK', 'USD']);
  // Each day's file repeats the day before's rates, with the same values.
  expect(
    await rows(
      deps.warehouse,
      `select count(*) as n from bronze.fx_rates as a join bronze.fx_rates as b on a.rate_date = b.rate_date and a.quote_currency = b.quote_currency
       where a._partition_date = date '${D0}' and b._partition_date = date '${D1}' and a.rate = b.rate`,
    ),
  ).toEqual([{ n: 4 }]);
  expect(fx.find((r) => r.quote_currency === 'USD')!.rate).toBeGreaterThan(1);
  expect(fx.find((r) => r.quote_currency === 'GBP')!.rate).toBeLessThan(1);
  expect((await rows(deps.warehouse, `select distinct currency from silver.orders order by 1`)).map((r) => r.currency)).toEqual(['EUR', 'GBP', 'USD']);
});

test('the crossing visits continue on the next day with their landing channel; silver checks pass on both days', async () => {
  const continued = await rows<{ n: number }>(
    deps.warehouse,
    `select count(*) as n from silver.sessions
     where partition_date = date '${D1}' and is_continuation and has_purchase`,
  );
  expect(continued[0].n).toBeGreaterThanOrEqual(3);
  for (const date of [D0, D1]) expect((await runChecks(deps, { date, stage: 'silver', runId: 'gen' })).failed).toEqual([]);
});
