import { readOverview } from '../../activities/console/overview';
import { Attribution } from '../../workflows';
import { createTestEnv, type TestEnv, type TestWorker } from '../support/temporal';
import { insertRows, event, order } from '../support/fixtures';
import { buildSilverDays } from './support';

/**
 * Issue #14.6: the settings that produced an attribution result (half-life, position weights,
 * window) are part of it: columns of gold.attribution, shown in the report; a manual run with
 * other settings coexists with the defaults' rows instead of replacing them.
 */
let env: TestEnv;
let w: TestWorker;
const DAY = '2025-06-15';
beforeAll(async () => {
  env = await createTestEnv();
  w = await env.makeWorker();
  // Three touches a week apart: time decay and position-based both depend on their settings.
  await insertRows(w.deps.warehouse, 'bronze.events', [
    event('a', '2025-06-02 10:00:00', { utm_source: 'google', utm_medium: 'cpc', _partition_date: '2025-06-02' }),
    event('a', '2025-06-09 10:00:00', { utm_source: 'newsletter', utm_medium: 'email', _partition_date: '2025-06-09' }),
    event('a', `${DAY} 09:00:00`, { referrer: 'https://www.google.com/', _partition_date: DAY }),
  ]);
  await insertRows(w.deps.warehouse, 'bronze.orders', [order('o1', 'a', `${DAY} 10:00:00`, 100, { _partition_date: DAY })]);
  await buildSilverDays(w.deps, ['2025-06-02', '2025-06-09', DAY]);
});
afterAll(async () => {
  await w?.close();
  await env?.close();
});

const run = (input: object) =>
  env.client.workflow.execute(Attribution, {
    taskQueue: w.taskQueue,
    workflowId: `attribution-settings-${Math.random().toString(36).slice(2)}`,
    args: [input as never],
  });
const timeDecay = () =>
  w.deps.warehouse.query<{ half_life_days: number; channel: string; revenue: number }>(
    `select half_life_days, channel, cast(revenue_credited as double) as revenue from gold.attribution
     where model = 'time_decay' and window_days = 30 order by half_life_days, channel`,
  );

test('a manual run with another half-life and weights keeps the default rows; each row says which settings made it', async () => {
  await run({ from: DAY, to: DAY, windowDays: 30 });
  const defaults = await timeDecay();
  expect(defaults).toHaveLength(3);
  expect(defaults.every((r) => r.half_life_days === 7)).toBe(true);

  const manual = await run({ from: DAY, to: DAY, windowDays: 30, halfLifeDays: 3.5, positionWeights: { first: 0.3, last: 0.5 } });
  const both = await timeDecay();
  expect(both).toHaveLength(6);
  expect(both.slice(3)).toEqual(defaults);
  expect(both.slice(0, 3).every((r) => r.half_life_days === 3.5)).toBe(true);
  // A shorter half-life moves credit to the newest touch (organic search, 1 hour before the order).
  const organic = (rows: typeof both, hl: number) => rows.find((r) => r.half_life_days === hl && r.channel === 'organic_search')!.revenue;
  expect(organic(both, 3.5)).toBeGreaterThan(organic(both, 7));

  const weights = await w.deps.warehouse.query(
    `select distinct first_weight, last_weight from gold.attribution where model = 'position_based' order by first_weight`,
  );
  expect(weights).toEqual([
    { first_weight: 0.3, last_weight: 0.5 },
    { first_weight: 0.4, last_weight: 0.4 },
  ]);

  const report = (await w.deps.store.get(manual.report.markdownKey)).toString('utf8');
  expect(report).toContain('half-life 3.5 days');
  expect(report).toContain('position-based 30 % first / 50 % last');
  expect(manual.summary).toContain('half-life 3.5 d, position 30 % first, 50 % last');

  // The defaults run again (as every nightly does): the manual rows stay.
  await run({ from: DAY, to: DAY, windowDays: 30 });
  expect(await timeDecay()).toEqual(both);

  // The console's partitions grid counts the defaults' conversions once, beside the manual run's rows.
  const [row] = await readOverview(w.deps.warehouse, DAY, DAY);
  expect(row.attribution).toEqual({ status: 'ok', detail: '1 conversions attributed' });
});
