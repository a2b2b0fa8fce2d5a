import { decide } from '../../lib/approvals/client';
import { cleaningApproval } from '../../workflows/cleaning-review';
import { NightlyPipeline } from '../../workflows/nightly-pipeline';
import { nightlyWorkflowId } from '../../workflows/shared/names';
import { awaitingPlan } from '../cleaning/support';
import { APPROVERS, signers } from '../security/approvers';
import { createTestEnv, type TestEnv, type TestWorker } from '../support/temporal';

/**
 * Issue #14.5: an accepted cleaning plan is a recorded transformation of its partition. Every later
 * rebuild of that partition's silver re-applies it (same operations, same rows) until the data no
 * longer needs it; a changed delivery on which it would do something else blocks and opens a new
 * review that shows the previous decision.
 */
let env: TestEnv;
let w: TestWorker;
beforeAll(async () => {
  env = await createTestEnv();
  w = await env.makeWorker({ env: { DAG_APPROVERS: APPROVERS } });
});
afterAll(async () => {
  await w?.close();
  await env?.close();
});

const DATE = '2025-05-14';
const nightly = (input: object) =>
  env.client.workflow.execute(NightlyPipeline, { taskQueue: w.taskQueue, workflowId: nightlyWorkflowId(DATE), args: [{ date: DATE, ...input }] });
const gold = () => w.deps.warehouse.query(`select * from gold.daily_kpis where partition_date = cast($d as date)`, { d: DATE });

test('accepted once, re-applied on every re-run; a delivery it no longer fits opens a new review showing the previous decision', async () => {
  // The nightly blocks on planted anomalies and opens cleaning-<date>; bob accepts plan v1 (signed).
  const first = await env.client.workflow.start(NightlyPipeline, {
    taskQueue: w.taskQueue,
    workflowId: nightlyWorkflowId(DATE),
    args: [{ date: DATE, generate: { rows: 3000, anomalies: true, seed: 5 }, review: true }],
  });
  const review = env.client.workflow.getHandle(`cleaning-${DATE}`);
  await awaitingPlan(() => review.query(cleaningApproval.query));
  expect(await decide(env.client, review.workflowId, { decision: 'accept', reason: 'refunds booked as sales' }, signers.bob)).toMatchObject({ ok: true });
  expect(await first.result()).toMatchObject({ status: 'succeeded' });
  const cleaned = await gold();

  // A re-run (same delivery) rebuilds silver from bronze: the plan is re-applied, gold is the same.
  const rerun = await nightly({ review: false });
  expect(rerun.status).toBe('succeeded');
  expect(rerun.summary).toContain('cleaning plan v1 (accepted by bob) re-applied');
  expect(await gold()).toEqual(cleaned);

  // A corrected delivery without the anomalies: the plan is not needed any more and is not applied.
  const clean = await nightly({ generate: { rows: 3000, anomalies: false, seed: 5 }, review: false });
  expect(clean.status).toBe('succeeded');
  expect(clean.summary).toContain('cleaning plan v1 (accepted by bob) not needed: the checks pass without it');

  // Another re-export with other bad rows: the plan would now take out different rows, so a person decides again.
  const waiting = await env.client.workflow.start(NightlyPipeline, {
    taskQueue: w.taskQueue,
    workflowId: nightlyWorkflowId(DATE),
    args: [{ date: DATE, generate: { rows: 3000, anomalies: true, seed: 6 }, review: true }],
  });
  const again = env.client.workflow.getHandle(`cleaning-${DATE}`);
  const state = await awaitingPlan(() => again.query(cleaningApproval.query));
  expect(state.subject!.plan.previousDecision).toMatchObject({ version: 1, acceptedBy: 'bob', reason: 'refunds booked as sales' });
  expect(state.subject!.plan.previousDecision!.notApplicable).toMatch(/^quarantine the rows \w+ flags .*: \d+ rows? now, \d+ when accepted/);
  expect(await decide(env.client, again.workflowId, { decision: 'reject', reason: 'ask the shop' }, signers.alice)).toMatchObject({ ok: true });
  const result = await waiting.result();
  expect(result.status).toBe('blocked');
  expect(result.summary).toContain('cleaning plan v1 (accepted by bob) no longer applies');
}, 400_000);
