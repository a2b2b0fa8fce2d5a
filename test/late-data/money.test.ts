import { loadDataset } from '../../activities/mmm/load-dataset';
import { runChecks } from '../../activities/quality/run-checks';
import type { ActivityDeps } from '../../lib/deps';
import { renderAttributionReport } from '../../report/attribution-report';
import { D, event, freshDeps, insertRows, order, rows } from '../support/fixtures';
import { buildGoldDay, buildSilverDays } from './support';

/**
 * Issue #14.4: money in one reporting currency (DAG_REPORTING_CURRENCY, default EUR) through a
 * daily FX-rates source; the original amount and currency stay beside it; a missing rate for a
 * day and currency in the data blocks; reports print the reporting currency.
 */
let deps: ActivityDeps;
afterEach(async () => deps?.warehouse.close());

/** 100 in each currency: one order and one purchase event per currency, all on D. */
async function threeCurrencies() {
  const cur = ['EUR', 'GBP', 'USD'] as const;
  await insertRows(
    deps.warehouse,
    'bronze.events',
    cur.flatMap((c) => [
      event(`c-${c}`, `${D} 10:00:00`, { utm_source: 'google', utm_medium: 'cpc' }),
      event(`c-${c}`, `${D} 10:05:00`, { event_type: 'purchase', event_data: JSON.stringify({ order_id: `o-${c}`, revenue: 100, currency: c }) }),
    ]),
  );
  await insertRows(
    deps.warehouse,
    'bronze.orders',
    cur.map((c) => order(`o-${c}`, `c-${c}`, `${D} 10:05:00`, 100, { currency: c })),
  );
}

/** ECB-style reference rates: 1 EUR = rate units of the quote currency. */
async function rates(date = D) {
  const rate = (quote: string, r: number, line: number) => ({
    rate_date: date,
    base_currency: 'EUR',
    quote_currency: quote,
    rate: r,
    _partition_date: date,
    _source_key: `landing/${date}/fx_rates.csv`,
    _line: line,
    _loaded_at: `${date} 01:00:00`,
  });
  await insertRows(deps.warehouse, 'bronze.fx_rates', [rate('USD', 1.1, 2), rate('GBP', 0.85, 3)]);
}

test('a day with GBP and USD but no rates is blocked by fx_rates_missing, naming the day and currencies', async () => {
  deps = await freshDeps();
  await threeCurrencies();
  await buildSilverDays(deps, [D]);
  const silver = await runChecks(deps, { date: D, stage: 'silver', runId: 'fx' });
  expect(silver.failed).toContain('fx_rates_missing');
  expect(silver.results.find((r) => r.check === 'fx_rates_missing')).toMatchObject({ observed: 2, sample: `GBP ${D}, USD ${D}`, status: 'fail' });
});

test('revenue is converted into EUR (100 EUR + 100 GBP + 100 USD = 308.56 EUR), originals kept beside it', async () => {
  deps = await freshDeps();
  await threeCurrencies();
  await rates();
  await buildSilverDays(deps, [D]);
  expect((await runChecks(deps, { date: D, stage: 'silver', runId: 'fx' })).failed).toEqual([]);
  expect(await rows(deps.warehouse, `select order_id, revenue, original_revenue, currency, reporting_currency from silver.orders order by order_id`)).toEqual([
    { order_id: 'o-EUR', revenue: 100, original_revenue: 100, currency: 'EUR', reporting_currency: 'EUR' },
    { order_id: 'o-GBP', revenue: 117.65, original_revenue: 100, currency: 'GBP', reporting_currency: 'EUR' },
    { order_id: 'o-USD', revenue: 90.91, original_revenue: 100, currency: 'USD', reporting_currency: 'EUR' },
  ]);
  await buildGoldDay(deps, D);
  expect(await rows(deps.warehouse, `select revenue, currency from staging.daily_kpis__20261101`)).toEqual([{ revenue: 308.56, currency: 'EUR' }]);
  expect(await rows(deps.warehouse, `select channel, revenue from staging.channel_daily__20261101`)).toEqual([{ channel: 'paid_search', revenue: 308.56 }]);
  expect(await rows(deps.warehouse, `select round(sum(monetary), 2) as m from staging.customer_rfm__20261101`)).toEqual([{ m: 308.56 }]);
});

test('the reporting currency is configurable: the same day in USD', async () => {
  deps = await freshDeps({ DAG_REPORTING_CURRENCY: 'USD' });
  await threeCurrencies();
  await rates();
  await buildSilverDays(deps, [D]);
  await buildGoldDay(deps, D);
  // EUR 100 × 1.10 = 110.00; GBP 100 × 1.10 / 0.85 = 129.41; USD 100.
  expect(await rows(deps.warehouse, `select revenue, currency from staging.daily_kpis__20261101`)).toEqual([{ revenue: 339.41, currency: 'USD' }]);
});

test('the attribution report prints amounts in the reporting currency, not €', () => {
  const { markdown, html } = renderAttributionReport({
    from: D,
    to: D,
    windows: [7],
    models: ['last_touch'],
    currency: 'USD',
    settings: { halfLifeDays: 7, firstWeight: 0.4, lastWeight: 0.4 },
    credit: [{ windowDays: 7, model: 'last_touch', channel: 'email', conversions: 1, revenue: 1234.5 }],
    summary: [],
  } as Parameters<typeof renderAttributionReport>[0]);
  expect(markdown).toContain('1.00 (USD 1,234.50)');
  expect(markdown).toContain('Amounts in USD');
  expect(markdown + html).not.toContain('€');
});

test('an MMM dataset never mixes days published in different reporting currencies', async () => {
  deps = await freshDeps();
  await deps.warehouse.exec(`create table gold.daily_kpis (partition_date date, sessions bigint, revenue double, currency varchar)`);
  await deps.warehouse.exec(`insert into gold.daily_kpis values ('2026-01-05', 10, 100, 'EUR'), ('2026-01-06', 10, 100, 'USD')`);
  await deps.warehouse.exec(`insert into mmm.ad_spend (week_start, country, paid_search_spend) values ('2026-01-05', 'DE', 10)`);
  const loaded = await loadDataset(deps, { kind: 'gold', demoSpend: false } as never, { from: '2026-01-05', to: '2026-01-11', country: 'DE' });
  expect(loaded.problems).toEqual(['gold.daily_kpis revenue of 2026-01-05..2026-01-11 is in EUR, USD, not only EUR: backfill those days in EUR']);
});
