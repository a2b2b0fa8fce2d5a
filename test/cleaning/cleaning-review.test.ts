import { WorkflowUpdateFailedError } from '@temporalio/client';
import type { ActivityDeps } from '../../lib/deps';
import { decide, describe, listPending, signDecision } from '../../lib/approvals/client';
import { formatDescription } from '../../cli/approvals';
import { CleaningReview, cleaningApproval, type CleaningReviewResult } from '../../workflows/cleaning-review';
import { NightlyPipeline, type NightlyResult } from '../../workflows/nightly-pipeline';
import type { CleaningSubject } from '../../cleaning/types';
import { createTestEnv, type TestEnv } from '../support/temporal';
import { awaitingPlan, blockedNightly, keys, makeCleaningWorker, openCleaningDeps, signers } from './support';
import { scaled } from '../support/time';

/**
 * CleaningReview as the nightly opens it (`cleaning-<date>`, its only entry point), decided with
 * signed decisions through lib/approvals/client.ts — the module `dag approvals` and the console use.
 */
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

const count = async (sql: string, params = {}) => Number((await deps.warehouse.query<{ n: number }>(sql, params))[0].n);
const dirtyOrders = (date: string) => count(`select count(*) as n from silver.orders where partition_date = cast($d as date) and revenue < 0`, { d: date });
const goldPublished = (date: string) => count(`select count(*) as n from ops.gold_publications where partition_date = cast($d as date)`, { d: date });
const audit = (workflowId: string) =>
  deps.warehouse.query<{
    plan_version: number;
    kind: string;
    actor: string;
    detail: string;
    verified_approver: string | null;
    approver_key_id: string | null;
    subject_hash: string | null;
    verification: string | null;
  }>(
    `select plan_version, kind, actor, detail, verified_approver, approver_key_id, subject_hash, verification from ops.cleaning_audit where workflow_id = $id order by recorded_at, kind, detail`,
    { id: workflowId },
  );
const blocked = (date: string) => blockedNightly(env, worker.taskQueue, date);

test('accept (signed): the plan is applied, gold published, the nightly succeeds naming the approver and runs attribution', async () => {
  const date = '2026-11-01';
  const { nightly, review } = await blocked(date);
  const d = await describe<CleaningSubject>(env.client, review.workflowId);
  const s = d.subject!;
  expect(d).toMatchObject({ subjectKind: 'cleaning-plan', version: 1, running: true, approvers: ['alice', 'bob'], signaturesRequired: true });
  expect(d.toSign).toMatchObject({
    workflowId: review.workflowId,
    subjectKind: 'cleaning-plan',
    version: 1,
    subjectHash: expect.stringMatching(/^sha256:[0-9a-f]{64}$/),
  });
  expect(s.failedChecks).toEqual(['future_timestamps', 'negative_revenue', 'orphan_purchases']);
  expect(s.plan.operations.map((o) => [o.op, 'check' in o ? o.check : null])).toEqual([
    ['quarantine_flagged_rows', 'future_timestamps'],
    ['quarantine_flagged_rows', 'negative_revenue'],
    ['quarantine_flagged_rows', 'orphan_purchases'],
  ]);
  expect(s.dryRun.stillFailing).toEqual([]);
  expect(s.verdict).toMatchObject({ verdict: 'approve', judge: 'rules' });
  expect(await dirtyOrders(date)).toBeGreaterThan(0); // the dry run left silver alone
  expect((await review.describe()).searchAttributes).toMatchObject({ ApprovalStatus: ['AwaitingApproval'], CleaningStatus: ['AwaitingApproval'] });

  const answer = await decide(
    env.client,
    review.workflowId,
    { decision: 'accept', reason: 'looks right', version: 1, subjectHash: d.toSign!.subjectHash },
    signers.bob,
  );
  expect(answer).toMatchObject({
    ok: true,
    record: { outcome: 'applied', via: 'update', verification: 'verified', verifiedApprover: 'bob', keyId: keys.bob.keyId },
  });
  const result = (await review.result()) as CleaningReviewResult;
  expect(result).toMatchObject({ outcome: 'published', rounds: 1, planVersion: 1, decision: { approver: 'bob' } });
  expect(result.reason).toBe('plan v1 accepted by bob (signature verified); checks pass after 1 cleaning round(s)');
  const n = (await nightly.result()) as NightlyResult;
  expect(n.status).toBe('succeeded');
  expect(n.summary).toContain('cleaned after review and published: plan v1 accepted by bob (signature verified)');
  expect(n.summary).toMatch(/attribution: /);
  expect(await dirtyOrders(date)).toBe(0);
  expect(await goldPublished(date)).toBe(1);
  const rows = await audit(review.workflowId);
  expect(rows.filter((a) => a.kind === 'applied_operation')).toHaveLength(3);
  expect(rows.filter((a) => a.kind === 'decision')).toEqual([
    expect.objectContaining({
      actor: 'bob',
      verified_approver: 'bob',
      approver_key_id: keys.bob.keyId,
      subject_hash: d.toSign!.subjectHash,
      verification: 'verified',
    }),
  ]);
  expect((await review.describe()).searchAttributes).toMatchObject({ ApprovalStatus: ['Accepted'], CleaningStatus: ['Accepted'] });
}, 240_000);

test("a later review of the same date applies its own plan v1; the earlier run's signed decision does not verify there", async () => {
  const date = '2026-11-07';
  const first = await blocked(date);
  const firstDesc = await describe(env.client, first.review.workflowId);
  const firstPayload = await signDecision(firstDesc.toSign!, { decision: 'accept', version: 1 }, signers.alice);
  await first.review.executeUpdate(cleaningApproval.update, { args: [firstPayload] });
  expect(await first.nightly.result()).toMatchObject({ status: 'succeeded' });
  // A new delivery of the date with other bad rows: the accepted plan no longer applies to it
  // (test/late-data/cleaning-replay.test.ts), so the nightly blocks again.
  const second = await blockedNightly(env, worker.taskQueue, date, 5000, 4);
  expect(await dirtyOrders(date)).toBeGreaterThan(0);
  const secondDesc = await describe(env.client, second.review.workflowId);
  expect(secondDesc.runId).not.toBe(firstDesc.runId);
  // Same workflow id, same version, maybe the same plan: the signature is bound to the run.
  const replayed = await second.review
    .executeUpdate(cleaningApproval.update, { args: [firstPayload] })
    .catch((e: WorkflowUpdateFailedError) => e.cause?.message);
  expect(replayed).toMatch(/^refused: bad signature: it does not verify with alice's key/);
  expect(await decide(env.client, second.review.workflowId, { decision: 'accept' }, signers.alice)).toMatchObject({ ok: true });
  expect(await second.nightly.result()).toMatchObject({ status: 'succeeded' });
  expect(await dirtyOrders(date)).toBe(0);
  const applied = await deps.warehouse.query<{ run_id: string; n: number }>(
    `select run_id, count(*) as n from ops.cleaning_audit where workflow_id = $id and kind = 'applied_operation' group by run_id order by run_id`,
    { id: `cleaning-${date}` },
  );
  expect(applied.map((r) => [r.run_id, Number(r.n)])).toEqual(
    [
      [firstDesc.runId, 3],
      [secondDesc.runId, 3],
    ].sort(),
  );
}, 300_000);

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
  const nightly = await env.client.workflow.execute(NightlyPipeline, { taskQueue: worker.taskQueue, workflowId: `nightly-${date}-nc`, args: [{ date }] });
  expect(nightly.blocked).toEqual({ stage: 'gold', failedChecks: ['revenue_on_trading_day'] });
  const reason = `no cleaning operation addresses revenue_on_trading_day: fix the source data and run ${date} again`;
  expect(nightly.summary).toContain(`review: ${reason}`);
  const review = env.client.workflow.getHandle<typeof CleaningReview>(`cleaning-${date}`);
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

test('refused and ignored decisions are audited with their reason; a signed reject leaves the partition blocked and named', async () => {
  const date = '2026-11-02';
  const { nightly, review } = await blocked(date);
  const unlisted = await decide(env.client, review.workflowId, { decision: 'accept' }, signers.mallory);
  expect(unlisted).toEqual({ ok: false, refusal: 'refused: mallory is not an approver (approvers: alice, bob)', recorded: true });
  const stale = await decide(env.client, review.workflowId, { decision: 'accept', version: 7 }, signers.bob);
  expect(stale).toMatchObject({ ok: false, refusal: 'refused: plan v1 is awaiting a decision, not v7' });
  const unsigned = await decide(env.client, review.workflowId, { decision: 'accept' }, { unsigned: true, approver: 'bob' });
  expect(unsigned).toMatchObject({ ok: false, refusal: expect.stringMatching(/^refused: the decision is not signed/) });
  // A signal cannot be refused: an unsigned reject is recorded and ignored; a signed one applies.
  await review.signal(cleaningApproval.signal, { decision: 'reject', approver: 'bob', planVersion: 1 });
  const d = await describe(env.client, review.workflowId);
  await review.signal(cleaningApproval.signal, await signDecision(d.toSign!, { decision: 'reject', reason: 'orphans are real store orders' }, signers.bob));
  const result = (await review.result()) as CleaningReviewResult;
  expect(result).toMatchObject({ outcome: 'rejected', reason: 'plan v1 rejected by bob (signature verified): orphans are real store orders', published: [] });
  const n = (await nightly.result()) as NightlyResult;
  expect(n.status).toBe('blocked');
  expect(n.summary).toContain('review: plan v1 rejected by bob (signature verified): orphans are real store orders');
  const late = await decide(env.client, review.workflowId, { decision: 'accept' }, signers.alice);
  expect(late).toMatchObject({ ok: false, refusal: expect.stringMatching(/^refused: cleaning-2026-11-02 has finished \(completed\)/) });
  const history = (await review.query(cleaningApproval.query)).history;
  expect(history.map((r) => [r.via, r.outcome, r.ignoredReason ?? r.verification])).toEqual([
    ['refused-update', 'ignored', 'mallory is not an approver (approvers: alice, bob)'],
    ['refused-update', 'ignored', 'plan v1 is awaiting a decision, not v7'],
    ['refused-update', 'ignored', expect.stringMatching(/^the decision is not signed/)],
    ['signal', 'ignored', expect.stringMatching(/^the decision is not signed/)],
    ['signal', 'applied', 'verified'],
  ]);
  const decisions = (await audit(review.workflowId)).filter((a) => a.kind === 'decision');
  // Two signals delivered in one workflow task share recorded_at, so the rows are compared as a set;
  // the order is pinned by the query's history above.
  expect(decisions.map((a) => `${a.actor}: ${a.verification}`).sort()).toEqual(
    ['mallory: not checked', 'bob: not checked', 'bob: failed: not signed', 'bob: failed: not signed', 'bob: verified'].sort(),
  );
  expect(await dirtyOrders(date)).toBeGreaterThan(0);
  expect(await goldPublished(date)).toBe(0);
  expect((await review.describe()).searchAttributes).toMatchObject({ ApprovalStatus: ['Rejected'], CleaningStatus: ['Rejected'] });
}, 240_000);

test('revise: feedback produces plan v2; the v1 signature cannot be moved to v2; accepting v2 applies it', async () => {
  const date = '2026-11-03';
  const { nightly, review } = await blocked(date);
  const v1 = await describe(env.client, review.workflowId);
  expect(await decide(env.client, review.workflowId, { decision: 'revise', reason: 'drop the rows, no need to keep them' }, signers.alice)).toMatchObject({
    ok: true,
  });
  const v2 = await awaitingPlan(() => review.query(cleaningApproval.query), 2);
  expect((v2.subject as CleaningSubject).plan).toMatchObject({ version: 2, feedback: 'drop the rows, no need to keep them' });
  expect(v2.toSign!.subjectHash).not.toBe(v1.toSign!.subjectHash);
  const acceptV1 = await signDecision(v1.toSign!, { decision: 'accept' }, signers.bob);
  const moved = await review
    .executeUpdate(cleaningApproval.update, { args: [{ ...acceptV1, version: 2 }] })
    .catch((e: WorkflowUpdateFailedError) => e.cause?.message);
  expect(moved).toMatch(/^refused: bad signature: it does not verify with bob's key .* for plan v2 of this run/);
  expect(await decide(env.client, review.workflowId, { decision: 'accept', version: 2 }, signers.bob)).toMatchObject({ ok: true });
  expect(await review.result()).toMatchObject({ outcome: 'published', planVersion: 2 });
  expect(await nightly.result()).toMatchObject({ status: 'succeeded' });
  expect(await count(`select count(*) as n from ops.cleaning_quarantine where workflow_id = $id`, { id: review.workflowId })).toBe(0);
  expect((await audit(review.workflowId)).filter((a) => a.kind === 'plan').map((a) => a.plan_version)).toEqual([1, 2]);
}, 240_000);

test('the worker is stopped while the plan awaits approval; a new worker on the queue carries on', async () => {
  const date = '2026-11-05';
  const { nightly, review } = await blocked(date);
  await worker.close();
  worker = await makeCleaningWorker(env, deps, worker.taskQueue);
  expect(await decide(env.client, review.workflowId, { decision: 'accept' }, signers.alice)).toMatchObject({ ok: true });
  expect(await review.result()).toMatchObject({ outcome: 'published', planVersion: 1 });
  expect(await nightly.result()).toMatchObject({ status: 'succeeded' });
  expect(await dirtyOrders(date)).toBe(0);
}, 240_000);

test('bad input fails the workflow with a readable message', async () => {
  const err = await env.client.workflow
    .execute(CleaningReview, { taskQueue: worker.taskQueue, workflowId: `cleaning-bad-${Date.now()}`, args: [{ date: '2026-02-30', aproverz: [] } as never] })
    .catch((e) => e);
  expect(String(err.cause?.message)).toBe('CleaningReview input: date: is not a real calendar date; unknown key "aproverz"');
});

test('client module: listPending finds the plan by ApprovalStatus, describe + the CLI text show it, reject answers at once', async () => {
  const date = '2026-11-06';
  const { nightly, review } = await blocked(date);
  let pending = await listPending(env.client);
  for (let i = 0; i < scaled(50) && !pending.some((p) => p.workflowId === review.workflowId); i++)
    pending = await new Promise((r) => setTimeout(r, 200)).then(() => listPending(env.client));
  expect(pending.find((p) => p.workflowId === review.workflowId)).toMatchObject({
    subjectKind: 'cleaning-plan',
    title: `plan v1 for partition ${date}`,
    version: 1,
    failedChecks: ['future_timestamps', 'negative_revenue', 'orphan_purchases'],
    deadline: expect.stringMatching(/^\d{4}-/),
  });
  const text = formatDescription(await describe(env.client, review.workflowId));
  expect(text).toContain('1. quarantine the rows future_timestamps flags');
  expect(text).toMatch(/negative_revenue: fail → pass/);
  expect(text).toMatch(/to sign: cleaning-plan v1, sha256:/);
  expect(await decide(env.client, review.workflowId, { decision: 'reject', reason: 'not today' }, signers.bob)).toMatchObject({
    ok: true,
    record: { version: 1 },
  });
  expect(await review.result()).toMatchObject({ outcome: 'rejected' });
  expect(await nightly.result()).toMatchObject({ status: 'blocked' });
}, 240_000);
