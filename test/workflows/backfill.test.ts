import { WorkflowFailedError } from '@temporalio/client';
import { Backfill, backfillProgress } from '../../workflows/backfill';
import { nightlyWorkflowId } from '../../workflows/shared/names';
import { createTestEnv, type TestEnv, type TestWorker } from '../support/temporal';

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

const run = (input: object) =>
  env.client.workflow.execute(Backfill, { taskQueue: w.taskQueue, workflowId: `backfill-${Math.random().toString(36).slice(2)}`, args: [input as never] });
const generate = { rows: 1500, anomalies: false, seed: 4 };

test('backfills several dates with bounded concurrency, then resumes only what is missing', async () => {
  const dry = await run({ from: '2026-09-01', to: '2026-09-04', dryRun: true });
  expect(dry).toMatchObject({ dryRun: true, state: 'done', plan: ['2026-09-01', '2026-09-02', '2026-09-03', '2026-09-04'], done: {} });

  const first = await run({ from: '2026-09-01', to: '2026-09-03', maxConcurrent: 2, generate });
  expect(first.counts).toEqual({ succeeded: 3, blocked: 0, failed: 0, already_running: 0 });
  const [published] = await w.deps.warehouse.query<{ n: number }>(`select count(*) as n from ops.gold_publications`);
  expect(published.n).toBe(3);

  const resume = await run({ from: '2026-09-01', to: '2026-09-04', only: 'missing', generate });
  expect(resume.plan).toEqual(['2026-09-04']);
  expect(resume.skipped).toEqual(['2026-09-01', '2026-09-02', '2026-09-03']);
  expect(resume.done).toEqual({ '2026-09-04': 'succeeded' });
});

test('a blocked date is reported, does not stop the others, and is picked up by failed-or-missing', async () => {
  const r = await run({ from: '2026-08-01', to: '2026-08-02', generate: { rows: 1500, anomalies: true, seed: 4 } });
  expect(r.done).toEqual({ '2026-08-01': 'blocked', '2026-08-02': 'blocked' });
  const again = await run({ from: '2026-07-31', to: '2026-08-02', only: 'failed-or-missing', dryRun: true });
  expect(again.plan).toEqual(['2026-07-31', '2026-08-01', '2026-08-02']);
  const children = await env.client.workflow.getHandle(nightlyWorkflowId('2026-08-01')).describe();
  expect(children.status.name).toBe('COMPLETED');
});

test('progress is queryable while it runs', async () => {
  const handle = await env.client.workflow.start(Backfill, {
    taskQueue: w.taskQueue,
    workflowId: `backfill-q-${Date.now()}`,
    args: [{ from: '2026-07-01', to: '2026-07-03', maxConcurrent: 1, generate }],
  });
  let seen = await handle.query(backfillProgress);
  while (seen.state === 'planning') seen = await handle.query(backfillProgress);
  expect(seen.state).toBe('running');
  expect(seen.plan).toEqual(['2026-07-01', '2026-07-02', '2026-07-03']);
  await handle.result();
  expect(Object.keys((await handle.query(backfillProgress)).done)).toHaveLength(3);
});

test.each([
  [{ from: '2026-09-05', to: '2026-09-01' }, 'Backfill input: from: "from" must not be after "to"'],
  [{ from: '2025-01-01', to: '2026-12-31' }, 'Backfill input: to: at most 366 days per backfill'],
  [{ from: '2026-09-01', to: '2026-09-02', only: 'some' }, 'Backfill input: only: Invalid option: expected one of "all"|"missing"|"failed-or-missing"'],
])('bad input %j is refused clearly', async (input, message) => {
  const err = await run(input).catch((e) => e);
  expect(err).toBeInstanceOf(WorkflowFailedError);
  expect(err.cause?.message).toBe(message);
});
