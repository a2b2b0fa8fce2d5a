import { randomUUID } from 'node:crypto';
import { WorkflowFailedError } from '@temporalio/client';
import { Worker } from '@temporalio/worker';
import { createAttributionActivities } from '../../activities/attribution';
import { createRunActivities } from '../../activities/runs';
import { consoleUrl } from '../../config/config';
import type { ActivityDeps } from '../../lib/deps';
import { failFastOnPermanentErrors } from '../../lib/errors';
import { Attribution, type AttributionInput } from '../../workflows/attribution';
import { freshDeps } from '../support/fixtures';
import { createTestEnv, runWorker, type TestEnv } from '../support/temporal';
import { buildSilver, land, purchase, visit } from './support';

/** The Attribution workflow on the real dev server, with a worker of this file's own. */
let env: TestEnv;
let deps: ActivityDeps;
let stopWorker: (() => Promise<void>) | undefined;
const taskQueue = `attribution-${randomUUID()}`;

beforeAll(async () => {
  env = await createTestEnv();
  deps = await freshDeps();
  await land(
    deps,
    [
      visit('a', 'paid_search', '2026-11-01 10:00:00'),
      visit('a', 'email', '2026-11-08 10:00:00'),
      visit('a', 'direct', '2026-11-15 10:00:00'),
      visit('b', 'paid_social', '2026-11-01 09:00:00'),
    ],
    [purchase('o1', 'a', '2026-11-15 10:00:00', 100), purchase('o2', 'b', '2026-11-14 09:00:00', 25.5)],
  );
  await buildSilver(deps, ['2026-11-01', '2026-11-08', '2026-11-14', '2026-11-15']);
  stopWorker = runWorker(
    await Worker.create({
      connection: env.connection,
      taskQueue,
      workflowsPath: require.resolve('./workflows'),
      activities: failFastOnPermanentErrors({ ...createAttributionActivities(deps), ...createRunActivities(deps) }), // Attribution records how it ended (recordWorkflowRun),
    }),
  );
}, 120_000);
afterAll(async () => {
  await stopWorker?.();
  await deps?.warehouse.close();
  await env?.close();
});

const run = (input: AttributionInput) => env.client.workflow.execute(Attribution, { taskQueue, workflowId: `attribution-test-${randomUUID()}`, args: [input] });

test('a range with the default windows (7 and 30 days): gold rows, a summary and a stored report', async () => {
  const result = await run({ from: '2026-11-14', to: '2026-11-15' });
  expect(result.windows.map((w) => [w.windowDays, w.conversions, w.attributed, w.outOfWindow])).toEqual([
    [7, 2, 1, 1],
    [30, 2, 2, 0],
  ]);
  expect(result.unpublishedDates).toEqual(['2026-11-14', '2026-11-15']);
  expect(result.report).toMatchObject({ key: 'reports/attribution/2026-11-14_2026-11-15/report.html', prefix: 'reports/attribution/2026-11-14_2026-11-15/' });
  expect(result.report.uri).toBe(deps.store.uri(result.report.key));
  // The summary links the report as the console serves it, not the worker's file:// path.
  expect(result.report.link).toBe(`${consoleUrl(deps.config)}/reports/reports/attribution/2026-11-14_2026-11-15/report.html`);
  expect(result.summary).toBe(
    `2 conversions 2026-11-14..2026-11-15; attributed 7d: 1 (50%), attributed 30d: 2 (100%); 2 days without published gold; half-life 7 d, position 40 % first, 40 % last; report ${result.report.link}`,
  );
  expect(result.summary).not.toContain('file://');

  const markdown = (await deps.store.get(result.report.markdownKey)).toString();
  expect(markdown).toContain('| channel | first_touch | last_touch | last_non_direct | linear | time_decay | position_based |');
  // 30 days: o1 as in the hand-worked example, o2 (paid_social, 13 days before) whole.
  expect(markdown).toContain(
    '| paid_social | 1.00 (EUR 25.50) | 1.00 (EUR 25.50) | 1.00 (EUR 25.50) | 1.00 (EUR 25.50) | 1.00 (EUR 25.50) | 1.00 (EUR 25.50) |',
  );
  expect(markdown).toContain('| email | – | – | 1.00 (EUR 100.00) | 0.33 (EUR 33.34) | 0.29 (EUR 28.57) | 0.20 (EUR 20.00) |');
  expect(markdown).toContain('| channel | naive | attributed 7d | out of window 7d | attributed 30d | out of window 30d |');
  expect(markdown).toContain('| paid_social | 1 (EUR 25.50) | 0 (EUR 0.00) | 1 (EUR 25.50) | 1 (EUR 25.50) | 0 (EUR 0.00) |');
  expect(result.report.chartKeys).toEqual([
    'reports/attribution/2026-11-14_2026-11-15/credit-by-model-w7.svg',
    'reports/attribution/2026-11-14_2026-11-15/credit-by-model-w30.svg',
  ]);
  const svg = (await deps.store.get(result.report.chartKeys[1])).toString();
  expect(svg).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"[^>]*>[\s\S]*<\/svg>\n$/);
  expect(svg).toContain('<title>email · linear: 0.33</title>');
  expect((svg.match(/<rect [^>]*><title>/g) ?? []).length).toBe(4 * 6); // four channels × six models
  expect((await deps.store.get(result.report.key)).toString()).toContain(svg.trim());
});

test('models and a single window can be chosen; a re-run replaces rather than appends', async () => {
  const input: AttributionInput = { from: '2026-11-15', models: ['linear', 'first_touch'], windowDays: 30, halfLifeDays: 3 };
  await run(input);
  const result = await run(input);
  expect(result).toMatchObject({ from: '2026-11-15', to: '2026-11-15', models: ['first_touch', 'linear'] });
  expect(result.windows.map((w) => w.rows)).toEqual([{ attribution: 4, summary: 1 }]);
  const count = (halfLife: number) =>
    deps.warehouse.query(
      `select count(*) as n from gold.attribution where conversion_date = date '2026-11-15' and window_days = 30 and model in ('linear', 'first_touch') and half_life_days = ${halfLife}`,
    );
  expect(await count(3)).toEqual([{ n: 4 }]);
  // The defaults' rows (the first test's run) coexist with these: settings are part of the key.
  expect(await count(7)).toEqual([{ n: 4 }]);
});

test.each([
  [{ from: '2026-11-15', to: '2026-11-14' }, 'Attribution input: to: must not be before from'],
  [
    { models: ['last_click'] },
    'Attribution input: models.0: Invalid option: expected one of "first_touch"|"last_touch"|"last_non_direct"|"linear"|"time_decay"|"position_based"',
  ],
  [{ windowDays: 0 }, 'Attribution input: windowDays: Too small: expected number to be >=1'],
  [{ positionWeights: { first: 0.7, last: 0.5 } }, 'Attribution input: positionWeights: first + last must be above 0 and at most 1'],
  [{ form: '2026-11-01' }, 'Attribution input: unknown key "form"'],
  [{ from: '2025-01-01', to: '2026-11-01' }, 'Attribution input: to: the range may span at most 366 days'],
])('bad input %j fails with one clear message', async (input, message) => {
  const err = await run(input as AttributionInput).catch((e) => e);
  expect(err).toBeInstanceOf(WorkflowFailedError);
  expect((err as WorkflowFailedError).cause?.message).toBe(message);
});
