import { WorkflowUpdateFailedError } from '@temporalio/client';
import type { ActivityDeps } from '../../lib/deps';
import { CleaningReview, cleaningApproval, type CleaningReviewInput } from '../../workflows/cleaning-review';
import { NightlyPipeline } from '../../workflows/nightly-pipeline';
import type { Decision } from '../../workflows/shared/approval';
import { formatPlan, listPending, sendDecision } from '../../cli/approvals';
import { createTestEnv, type TestEnv } from '../support/temporal';
import { awaitingPlan, makeCleaningWorker, openCleaningDeps } from './support';

let env: TestEnv;
let deps: ActivityDeps;
let worker: Awaited<ReturnType<typeof makeCleaningWorker>>;

beforeAll(async () => {
  env = await createTestEnv();
  deps = await openCleaningDeps();
  worker = await makeCleaningWorker(env, deps);
}, 120_000);
afterAll(async () => {
  await worker?.close();
  await deps?.warehouse.close();
  await env?.close();
});

const id = (what: string) => `cleaning-${what}-${Math.random().toString(36).slice(2)}`;
/** A partition the nightly run blocked: negative_revenue, orphan_purchases and future_timestamps fail. */
async function blockedPartition(date: string) {
  const r = await env.client.workflow.execute(NightlyPipeline, {
    taskQueue: worker.taskQueue,
    workflowId: id('nightly'),
    args: [{ date, generate: { rows: 5000, anomalies: true, seed: 3 }, review: false }],
  });
  expect(r.blocked).toEqual({ stage: 'silver', failedChecks: ['future_timestamps', 'negative_revenue', 'orphan_purchases'] });
}
const start = (input: CleaningReviewInput, taskQueue = worker.taskQueue, workflowId = id('review')) =>
  env.client.workflow.start(CleaningReview, { taskQueue, workflowId, args: [input] });
const decide = (h: Awaited<ReturnType<typeof start>>, d: Decision) => h.executeUpdate(cleaningApproval.update, { args: [d] });
const count = async (sql: string, params = {}) => Number((await deps.warehouse.query<{ n: number }>(sql, params))[0].n);
const dirtyOrders = (date: string) => count(`select count(*) as n from silver.orders where partition_date = cast($d as date) and revenue < 0`, { d: date });
const goldPublished = (date: string) => count(`select count(*) as n from ops.gold_publications where partition_date = cast($d as date)`, { d: date });
const audit = (workflowId: string) =>
  deps.warehouse.query<{ plan_version: number; kind: string; actor: string; detail: string }>(
    `select plan_version, kind, actor, detail from ops.cleaning_audit where workflow_id = $id order by recorded_at, kind, detail`,
    { id: workflowId },
  );

test('accept: the plan is dry-run and judged, then applied to silver in one go; checks pass and gold is published', async () => {
  await blockedPartition('2026-11-01');
  expect(await dirtyOrders('2026-11-01')).toBeGreaterThan(0);
  const h = await start({ date: '2026-11-01' });
  const state = await awaitingPlan(() => h.query(cleaningApproval.query));
  const s = state.subject!;
  expect(state.version).toBe(1);
  expect(s.failedChecks).toEqual(['future_timestamps', 'negative_revenue', 'orphan_purchases']);
  expect(s.plan).toMatchObject({ planner: 'rules', version: 1 });
  expect(s.plan.operations.map((o) => [o.op, 'check' in o ? o.check : null])).toEqual([
    ['quarantine_flagged_rows', 'future_timestamps'],
    ['quarantine_flagged_rows', 'negative_revenue'],
    ['quarantine_flagged_rows', 'orphan_purchases'],
  ]);
  expect(s.dryRun.stillFailing).toEqual([]);
  expect(s.dryRun.rowsAfter.orders).toBeLessThan(s.dryRun.rowsBefore.orders);
  expect(s.verdict).toMatchObject({ verdict: 'approve', judge: 'rules' });
  expect(await dirtyOrders('2026-11-01')).toBeGreaterThan(0); // the dry run left silver alone
  expect((await h.describe()).searchAttributes.CleaningStatus).toEqual(['AwaitingApproval']);

  expect(await decide(h, { decision: 'accept', approver: 'bob', reason: 'looks right', version: 1 })).toMatchObject({ outcome: 'applied', via: 'update' });
  const result = await h.result();
  expect(result).toMatchObject({ outcome: 'published', rounds: 1, planVersion: 1, decision: { approver: 'bob' } });
  expect(result.published).toHaveLength(5);
  expect(await dirtyOrders('2026-11-01')).toBe(0);
  expect(await goldPublished('2026-11-01')).toBe(1);
  const removed = s.dryRun.rowsBefore.orders - s.dryRun.rowsAfter.orders + s.dryRun.rowsBefore.events - s.dryRun.rowsAfter.events;
  expect(await count(`select count(*) as n from ops.cleaning_quarantine where workflow_id = $id`, { id: h.workflowId })).toBe(removed);
  const checks = await deps.warehouse.query<{ status: string }>(
    `select distinct status from ops.dq_results where partition_date = date '2026-11-01' and stage = 'silver' and severity = 'blocking' and checked_at = (select max(checked_at) from ops.dq_results where partition_date = date '2026-11-01' and stage = 'silver')`,
  );
  expect(checks).toEqual([{ status: 'pass' }]);
  const kinds = (await audit(h.workflowId)).map((a) => a.kind);
  expect(kinds.filter((k) => k === 'applied_operation')).toHaveLength(3);
  expect(new Set(kinds)).toEqual(new Set(['plan', 'dry_run', 'verdict', 'decision', 'applied_operation', 'outcome']));
  expect((await h.describe()).searchAttributes.CleaningStatus).toEqual(['Accepted']);
}, 180_000);

test('a later review of the same date under the same workflow id applies its own plan v1 (idempotency is per run)', async () => {
  const date = '2026-11-07';
  const workflowId = id('again');
  const acceptV1 = async () => {
    const h = await start({ date }, worker.taskQueue, workflowId);
    await awaitingPlan(() => h.query(cleaningApproval.query));
    await decide(h, { decision: 'accept', approver: 'bob', version: 1 });
    return { result: await h.result(), runId: h.firstExecutionRunId };
  };
  await blockedPartition(date);
  const first = await acceptV1();
  expect(first.result).toMatchObject({ outcome: 'published', planVersion: 1 });
  // The nightly runs again (silver rebuilt from bronze, so the bad rows are back) and blocks again.
  await blockedPartition(date);
  expect(await dirtyOrders(date)).toBeGreaterThan(0);
  const second = await acceptV1();
  expect(second.result).toMatchObject({ outcome: 'published', planVersion: 1 });
  expect(await dirtyOrders(date)).toBe(0);
  const applied = await deps.warehouse.query<{ run_id: string; n: number }>(
    `select run_id, count(*) as n from ops.cleaning_audit where workflow_id = $id and kind = 'applied_operation' group by run_id order by run_id`,
    { id: workflowId },
  );
  expect(applied.map((r) => [r.run_id, Number(r.n)])).toEqual(
    [
      [first.runId, 3],
      [second.runId, 3],
    ].sort(),
  );
}, 240_000);

test('a gold check no operation can address ends the review at once as not_cleanable; the nightly stays blocked', async () => {
  // A trading day whose only order was cancelled: sessions but no revenue, which no row operation fixes.
  const date = '2026-11-09';
  await deps.store.put(
    `landing/${date}/events.csv`,
    `event_id,client_id,event_type,event_ts\ne1,c1,page_view,${date}T10:00:00Z\ne2,c1,page_view,${date}T10:05:00Z\n`,
  );
  await deps.store.put(
    `landing/${date}/orders.ndjson`,
    `${JSON.stringify({ order_id: 'o1', client_id: 'c1', customer_id: 'cu1', ordered_at: `${date}T10:06:00Z`, currency: 'EUR', revenue: 10, status: 'cancelled' })}\n`,
  );
  const nightly = await env.client.workflow.execute(NightlyPipeline, { taskQueue: worker.taskQueue, workflowId: id('nightly'), args: [{ date }] });
  expect(nightly.blocked).toEqual({ stage: 'gold', failedChecks: ['revenue_on_trading_day'] });
  const reason = `no cleaning operation addresses revenue_on_trading_day: fix the source data and run ${date} again`;
  expect(nightly.summary).toContain(`review: ${reason}`);
  const review = env.client.workflow.getHandle(`cleaning-${date}`);
  expect(await review.result()).toMatchObject({
    outcome: 'not_cleanable',
    reason,
    rounds: 1,
    planVersion: 1,
    failedChecks: ['revenue_on_trading_day'],
    published: [],
  });
  expect((await review.describe()).searchAttributes.CleaningStatus).toEqual(['NotCleanable']);
  expect((await audit(`cleaning-${date}`)).map((a) => a.kind)).toEqual(['dry_run', 'plan', 'verdict', 'outcome']);
  expect(await goldPublished(date)).toBe(0);
}, 180_000);

test('invalid decisions are recorded and ignored with their reason; reject leaves the partition unpublished', async () => {
  await blockedPartition('2026-11-02');
  const h = await start({ date: '2026-11-02', requestedBy: 'alice' });
  await awaitingPlan(() => h.query(cleaningApproval.query));
  expect(await decide(h, { decision: 'accept', approver: 'alice', version: 1 })).toMatchObject({
    outcome: 'ignored',
    ignoredReason: 'four-eyes: alice requested this and cannot also decide it',
  });
  expect(await decide(h, { decision: 'accept', approver: 'mallory', version: 1 })).toMatchObject({
    outcome: 'ignored',
    ignoredReason: 'mallory is not an approver (approvers: alice, bob)',
  });
  expect(await decide(h, { decision: 'accept', approver: 'bob', version: 7 })).toMatchObject({
    outcome: 'ignored',
    ignoredReason: 'stale version 7: the version awaiting a decision is 1',
  });
  await expect(decide(h, { decision: 'maybe', approver: 'bob', version: 1 } as unknown as Decision)).rejects.toBeInstanceOf(WorkflowUpdateFailedError);
  await h.signal(cleaningApproval.signal, { decision: 'accept', approver: 'bob', plan: 1 } as unknown as Decision);
  await h.signal(cleaningApproval.signal, { decision: 'reject', approver: 'bob', reason: 'orphans are real store orders', version: 1 });
  const result = await h.result();
  expect(result).toMatchObject({ outcome: 'rejected', reason: 'plan v1 rejected by bob: orphans are real store orders', published: [] });
  const late = await decide(h, { decision: 'accept', approver: 'alice', version: 1 }).catch((e: Error) => e);
  expect(late).toBeInstanceOf(Error); // the workflow has completed: no late decision can apply
  const history = (await h.query(cleaningApproval.query)).history;
  expect(history.map((d) => d.ignoredReason ?? 'applied')).toEqual([
    'four-eyes: alice requested this and cannot also decide it',
    'mallory is not an approver (approvers: alice, bob)',
    'stale version 7: the version awaiting a decision is 1',
    expect.stringMatching(/^malformed decision: .*version/),
    'applied',
  ]);
  const decisions = (await audit(h.workflowId)).filter((a) => a.kind === 'decision');
  expect(decisions).toHaveLength(5);
  expect(await dirtyOrders('2026-11-02')).toBeGreaterThan(0);
  expect(await goldPublished('2026-11-02')).toBe(0);
  expect((await h.describe()).searchAttributes.CleaningStatus).toEqual(['Rejected']);
}, 180_000);

test('revise: feedback produces plan v2; a decision on v1 is then stale; accepting v2 applies it', async () => {
  await blockedPartition('2026-11-03');
  const h = await start({ date: '2026-11-03' });
  await awaitingPlan(() => h.query(cleaningApproval.query));
  await decide(h, { decision: 'revise', approver: 'alice', reason: 'drop the rows, no need to keep them', version: 1 });
  const v2 = await awaitingPlan(() => h.query(cleaningApproval.query), 2);
  expect(v2.subject!.plan).toMatchObject({ version: 2, feedback: 'drop the rows, no need to keep them' });
  expect(v2.subject!.plan.operations.every((o) => o.op === 'drop_flagged_rows')).toBe(true);
  expect(await decide(h, { decision: 'accept', approver: 'bob', version: 1 })).toMatchObject({
    outcome: 'ignored',
    ignoredReason: 'stale version 1: the version awaiting a decision is 2',
  });
  await decide(h, { decision: 'accept', approver: 'bob', version: 2 });
  expect(await h.result()).toMatchObject({ outcome: 'published', planVersion: 2 });
  expect(await count(`select count(*) as n from ops.cleaning_quarantine where workflow_id = $id`, { id: h.workflowId })).toBe(0);
  expect((await audit(h.workflowId)).filter((a) => a.kind === 'plan').map((a) => a.plan_version)).toEqual([1, 2]);
}, 180_000);

test('no decision before the timeout is a recorded automatic rejection', async () => {
  await blockedPartition('2026-11-04');
  const h = await start({ date: '2026-11-04', approvalTimeout: '2s' });
  expect(await h.result()).toMatchObject({ outcome: 'timed_out', decision: { approver: 'system:timeout', via: 'timeout' } });
  expect((await audit(h.workflowId)).filter((a) => a.kind === 'decision').map((a) => a.actor)).toEqual(['system:timeout']);
  expect(await goldPublished('2026-11-04')).toBe(0);
  expect((await h.describe()).searchAttributes.CleaningStatus).toEqual(['TimedOut']);
}, 180_000);

test('the worker is stopped while the plan awaits approval; a new worker on the queue carries on', async () => {
  await blockedPartition('2026-11-05');
  const h = await start({ date: '2026-11-05' });
  await awaitingPlan(() => h.query(cleaningApproval.query));
  await worker.close();
  worker = await makeCleaningWorker(env, deps, worker.taskQueue);
  await decide(h, { decision: 'accept', approver: 'alice', version: 1 });
  expect(await h.result()).toMatchObject({ outcome: 'published', planVersion: 1 });
  expect(await dirtyOrders('2026-11-05')).toBe(0);
}, 180_000);

test('bad input fails the workflow with a readable message', async () => {
  const err = await env.client.workflow
    .execute(CleaningReview, { taskQueue: worker.taskQueue, workflowId: id('bad'), args: [{ date: '2026-02-30', aproverz: [] } as never] })
    .catch((e) => e);
  expect(String(err.cause?.message)).toBe('CleaningReview input: date: is not a real calendar date; unknown key "aproverz"');
});

test('CLI functions: list finds the pending plan by search attribute, show reads it, reject answers at once', async () => {
  await blockedPartition('2026-11-06');
  const h = await start({ date: '2026-11-06' });
  const state = await awaitingPlan(() => h.query(cleaningApproval.query));
  let pending = await listPending(env.client);
  for (let i = 0; i < 50 && !pending.some((p) => p.workflowId === h.workflowId); i++)
    pending = await new Promise((r) => setTimeout(r, 200)).then(() => listPending(env.client));
  expect(pending.find((p) => p.workflowId === h.workflowId)).toMatchObject({
    date: '2026-11-06',
    version: 1,
    failedChecks: ['future_timestamps', 'negative_revenue', 'orphan_purchases'],
  });
  const text = formatPlan(h.workflowId, state);
  expect(text).toContain('1. quarantine the rows future_timestamps flags');
  expect(text).toMatch(/negative_revenue: fail → pass/);
  expect(await sendDecision(env.client, h.workflowId, { decision: 'reject', approver: 'mallory' })).toMatchObject({ outcome: 'ignored' });
  expect(await sendDecision(env.client, h.workflowId, { decision: 'reject', approver: 'bob', reason: 'not today' })).toMatchObject({
    outcome: 'applied',
    version: 1,
  });
  expect(await h.result()).toMatchObject({ outcome: 'rejected' });
}, 180_000);
