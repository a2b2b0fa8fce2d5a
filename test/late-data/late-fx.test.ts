import { NightlyPipeline } from '../../workflows';
import { nightlyWorkflowId } from '../../workflows/shared/names';
import { createTestEnv, type TestEnv, type TestWorker } from '../support/temporal';
import { eventsCsv, landFile, ordersNdjson } from './support';

/**
 * Issue #14.4 with late data: a day with USD orders whose rate did not come with it is blocked by
 * fx_rates_missing; the next day's FX file brings the rate, and that night's run re-runs the
 * blocked day, which then publishes, converted at its own day's rate.
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

const D0 = '2025-07-07';
const D1 = '2025-07-08';
const nightly = (date: string) =>
  env.client.workflow.execute(NightlyPipeline, { taskQueue: w.taskQueue, workflowId: nightlyWorkflowId(date), args: [{ date, review: false }] });
const fx = (rows: [string, string, string, number][]) => `rate_date,base_currency,quote_currency,rate\n${rows.map((r) => r.join(',')).join('\n')}\n`;

async function day(date: string, currency: 'EUR' | 'USD', fxRows: [string, string, string, number][]) {
  await landFile(
    w.deps.store,
    date,
    'events.csv',
    eventsCsv([
      { id: `${date}-a1`, client: `a-${date}`, at: `${date} 10:00:00`, utm: ['google', 'cpc'] },
      { id: `${date}-a2`, client: `a-${date}`, at: `${date} 10:05:00`, type: 'purchase', data: { order_id: `o-${date}`, revenue: 110, currency } },
    ]),
  );
  await landFile(w.deps.store, date, 'orders.ndjson', ordersNdjson([{ id: `o-${date}`, client: `a-${date}`, at: `${date} 10:05:00`, revenue: 110, currency }]));
  await landFile(w.deps.store, date, 'fx_rates.csv', fx(fxRows));
}

test('a rate that arrives a day late unblocks its day: the next nightly re-runs it', async () => {
  await day(D0, 'USD', [[D0, 'EUR', 'GBP', 0.85]]);
  const blocked = await nightly(D0);
  expect(blocked.status).toBe('blocked');
  expect(blocked.blocked).toEqual({ stage: 'silver', failedChecks: ['fx_rates_missing'] });

  await day(D1, 'EUR', [
    [D0, 'EUR', 'USD', 1.1],
    [D1, 'EUR', 'USD', 1.2],
  ]);
  const next = await nightly(D1);
  expect(next.status).toBe('succeeded');
  expect(next.summary).toContain(`FX rates for ${D0} changed: ${D0} rebuilt (succeeded)`);
  const [kpis] = await w.deps.warehouse.query<{ revenue: number; currency: string }>(
    `select revenue, currency from gold.daily_kpis where partition_date = cast($d as date)`,
    { d: D0 },
  );
  // 110 USD at D0's rate (1 EUR = 1.10 USD), not D1's.
  expect(kpis).toEqual({ revenue: 100, currency: 'EUR' });
  // Nothing changed for D0 on a second run of D1: it is not re-run again.
  expect((await nightly(D1)).summary).not.toContain('FX rates for');
});
