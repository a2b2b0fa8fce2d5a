import { ApplicationFailure } from '@temporalio/common';
import { WorkflowFailedError } from '@temporalio/client';
import { createTestEnv, type TestEnv, type TestWorker } from '../support/temporal';

/**
 * Workflows are startable by anyone with the UI: hostile inputs to every workflow type fail the
 * run at once with a non-retryable InvalidInput naming the field, before any activity runs.
 * (NightlyPipeline's basic cases are in test/workflows/nightly-pipeline.test.ts.)
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

test.each<[string, unknown, RegExp]>([
  ['NightlyPipeline', { source: '../landing' }, /^NightlyPipeline input: source: /],
  ['NightlyPipeline', { date: '2026-11-01', generate: { rows: '100; drop table bronze.events' } }, /^NightlyPipeline input: generate\.rows: /],
  ['NightlyPipeline', { date: ['2026-11-01'] }, /^NightlyPipeline input: date: /],
  ['NightlyPipeline', { date: '2026-11-01', __proto__: { x: 1 }, "'; DROP TABLE x; --": 1 }, /unknown key "'; DROP TABLE x; --"/],
  ['Backfill', { from: "'; DROP TABLE x; --", to: '2026-11-01' }, /^Backfill input: from: must be a date like 2026-11-01/],
  ['Backfill', { from: '2026-13-45', to: '2026-11-01' }, /^Backfill input: from: is not a real calendar date/],
  ['Backfill', { from: '2026-11-01', to: '2026-11-02', maxConcurrent: 10_000 }, /^Backfill input: maxConcurrent: /],
  ['Attribution', { from: '../../etc', to: '2026-11-01' }, /^Attribution input: from: must be a date like/],
  ['PersonaLabeling', { date: '2026-02-30' }, /^PersonaLabeling input: date: is not a real calendar date/],
  ['PersonaLabeling', { date: '2026-11-01', modelVersion: '1 or 1=1' }, /^PersonaLabeling input: modelVersion: /],
  ['NightlyPipeline', 'not an object', /^NightlyPipeline input: input: /],
])('%s %j is refused as InvalidInput', async (type, input, message) => {
  const workflowId = `hostile-${Math.random().toString(36).slice(2)}`;
  const err = await env.client.workflow.execute(type, { taskQueue: w.taskQueue, workflowId, args: [input] }).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(WorkflowFailedError);
  const cause = (err as WorkflowFailedError).cause as ApplicationFailure;
  expect(cause.type).toBe('InvalidInput');
  expect(cause.nonRetryable).toBe(true);
  expect(cause.message).toMatch(message);
  const history = await env.client.workflow.getHandle(workflowId).fetchHistory();
  // Nothing runs: the only activity is the record of how the run ended (failed: its input), in ops.workflow_runs.
  const scheduled = history.events!.flatMap((e) => (e.activityTaskScheduledEventAttributes ? [e.activityTaskScheduledEventAttributes.activityType?.name] : []));
  expect(scheduled.filter((name) => name !== 'recordWorkflowRun')).toEqual([]);
});
