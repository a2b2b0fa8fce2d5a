import { WorkflowFailedError, WorkflowUpdateFailedError } from '@temporalio/client';
import type { ActivityDeps } from '../../lib/deps';
import { registryEntry } from '../../activities/personas/registry';
import { decide, describe, signDecision } from '../../lib/approvals/client';
import { personaApproval, RetrainPersonas, type RetrainInput } from '../../workflows/retrain-personas';
import { createTestEnv, type TestEnv } from '../support/temporal';
import { APPROVERS, keys, signers } from '../security/approvers';
import { awaitingDecision, landDay, makePersonaWorker, openPersonaDeps } from './support/persona-env';

/** Persona models go through the same approval as cleaning plans: signed decisions, refusals, audit, ApprovalStatus. */
let env: TestEnv;
let deps: ActivityDeps;
let worker: Awaited<ReturnType<typeof makePersonaWorker>>;

beforeAll(async () => {
  env = await createTestEnv();
  deps = await openPersonaDeps({ env: { DAG_APPROVERS: APPROVERS } });
  await landDay(deps, { date: '2026-11-01', participants: 1500, seed: 1 });
  await landDay(deps, { date: '2026-11-02', participants: 1500, seed: 2 });
  worker = await makePersonaWorker(env, deps);
});
afterAll(async () => {
  await worker?.close();
  await deps?.warehouse.close();
  await env?.close();
});

const WINDOW = { from: '2026-11-01', to: '2026-11-02' };
const start = (input: Partial<RetrainInput> = {}) =>
  env.client.workflow.start(RetrainPersonas, {
    taskQueue: worker.taskQueue,
    workflowId: `retrain-test-${Math.random().toString(36).slice(2)}`,
    args: [{ window: WINDOW, sampleSize: 3000, ...input }],
  });
const decisions = (workflowId: string) =>
  deps.warehouse.query<{ approver: string; decision: string; outcome: string; ignored_reason: string | null; via: string; verification: string | null }>(
    `select approver, decision, outcome, ignored_reason, via, verification from ml.persona_decisions where workflow_id = $id order by decided_at, approver`,
    { id: workflowId },
  );

test('accept (signed): the candidate is promoted, the old version retired, the window relabelled and the decision audited with its key', async () => {
  const h = await start({ requestedBy: 'carol', reason: 'test drift' });
  const state = await awaitingDecision(() => h.query(personaApproval.query));
  expect(state.subject).toMatchObject({ activeVersion: 1, window: WINDOW, reason: 'test drift', comparison: { k: 8, sampleSize: 3000 } });
  expect(state).toMatchObject({ subjectKind: 'persona-model', approvers: ['alice', 'bob'] });
  // Persona approvals have their own, generic status: CleaningStatus is for cleaning reviews only.
  const attributes = (await h.describe()).searchAttributes;
  expect(attributes.ApprovalStatus).toEqual(['AwaitingApproval']);
  expect(attributes.CleaningStatus).toBeUndefined();
  const answer = await decide(env.client, h.workflowId, { decision: 'accept', reason: 'centroids barely moved', version: state.version! }, signers.alice);
  expect(answer).toMatchObject({ ok: true, record: { outcome: 'applied', via: 'update', verifiedApprover: 'alice', keyId: keys.alice.keyId } });
  const result = await h.result();
  expect(result).toMatchObject({ outcome: 'promoted', baseVersion: 1, relabelled: { dates: 2, rows: 3000 } });
  expect(result.summary).toBe(`v${result.candidateVersion} promoted by alice (signature verified); 3000 rows relabelled`);
  expect((await registryEntry(deps)).version).toBe(result.candidateVersion);
  expect((await registryEntry(deps, 1)).status).toBe('retired');
  expect(await decisions(h.workflowId)).toEqual([
    { approver: 'alice', decision: 'accept', outcome: 'applied', ignored_reason: null, via: 'update', verification: 'verified' },
  ]);
  const [row] = await deps.warehouse.query<{ verified_approver: string; approver_key_id: string; subject_hash: string }>(
    `select verified_approver, approver_key_id, subject_hash from ml.persona_decisions where workflow_id = $id`,
    { id: h.workflowId },
  );
  expect(row).toEqual({ verified_approver: 'alice', approver_key_id: keys.alice.keyId, subject_hash: state.toSign!.subjectHash });
  expect((await h.describe()).searchAttributes.ApprovalStatus).toEqual(['Accepted']);
});

test('four-eyes, unknown approvers, stale versions and malformed decisions are refused and recorded; of two decisions at once, one applies', async () => {
  const h = await start({ requestedBy: 'alice' });
  const { version } = await awaitingDecision(() => h.query(personaApproval.query));
  const v = version!;
  expect(await decide(env.client, h.workflowId, { decision: 'accept' }, signers.alice)).toMatchObject({
    ok: false,
    refusal: 'refused: four-eyes: alice requested this and cannot also decide it',
  });
  expect(await decide(env.client, h.workflowId, { decision: 'accept' }, signers.mallory)).toMatchObject({
    ok: false,
    refusal: 'refused: mallory is not an approver (approvers: alice, bob)',
  });
  expect(await decide(env.client, h.workflowId, { decision: 'accept', version: v - 1 }, signers.bob)).toMatchObject({
    ok: false,
    refusal: `refused: model v${v} is awaiting a decision, not v${v - 1}`,
  });
  const malformed = await h.executeUpdate(personaApproval.update, { args: [{ decision: 'maybe', approver: 'bob', version: v } as never] }).catch((e) => e);
  expect(String(malformed.cause?.message)).toBe('refused: malformed decision: decision: must be "accept", "reject" or "revise"');
  // Two signed decisions at once: exactly one applies. The other is refused (an update, before it
  // enters history) or recorded and ignored (a signal) as a second decision.
  const toSign = (await describe(env.client, h.workflowId)).toSign!;
  const reject = await signDecision(toSign, { decision: 'reject', reason: 'silhouette got worse' }, signers.bob);
  const accept = await signDecision(toSign, { decision: 'accept' }, signers.bob);
  const [, updateAnswer] = await Promise.all([
    h.signal(personaApproval.signal, reject),
    h.executeUpdate(personaApproval.update, { args: [accept] }).catch((e: Error) => e),
  ]);
  const result = await h.result();
  const rows = await decisions(h.workflowId);
  const applied = rows.filter((d) => d.outcome === 'applied');
  expect(applied).toHaveLength(1);
  expect(result.outcome).toBe(applied[0].decision === 'reject' ? 'rejected' : 'promoted');
  const refusedUpdate = updateAnswer instanceof Error;
  if (refusedUpdate) expect((updateAnswer as WorkflowUpdateFailedError).cause?.message).toBe(`refused: model v${v} was already decided: reject by bob`);
  expect(rows.map((r) => r.ignored_reason ?? 'applied').sort()).toEqual(
    [
      'applied',
      ...(refusedUpdate ? [] : [`model v${v} was already decided: accept by bob`]),
      'four-eyes: alice requested this and cannot also decide it',
      'mallory is not an approver (approvers: alice, bob)',
      `model v${v} is awaiting a decision, not v${v - 1}`,
    ].sort(),
  );
  expect(result.summary).toContain('by bob (signature verified)');
});

test('no decision before the timeout is a recorded automatic rejection; a decision after it is refused', async () => {
  const h = await start({ requestedBy: 'carol', approvalTimeout: '2s' });
  const result = await h.result();
  expect(result).toMatchObject({ outcome: 'timed_out', decision: { decision: 'reject', approver: 'system:timeout', via: 'timeout', outcome: 'applied' } });
  expect((await registryEntry(deps, result.candidateVersion)).status).toBe('rejected');
  expect(await decisions(h.workflowId)).toEqual([
    { approver: 'system:timeout', decision: 'reject', outcome: 'applied', ignored_reason: null, via: 'timeout', verification: 'system' },
  ]);
  expect((await h.describe()).searchAttributes.ApprovalStatus).toEqual(['TimedOut']);
  expect(await decide(env.client, h.workflowId, { decision: 'accept' }, signers.bob)).toMatchObject({
    ok: false,
    refusal: expect.stringMatching(/has finished \(completed\): no decision can apply$/),
  });
  expect((await registryEntry(deps, result.candidateVersion)).status).toBe('rejected');
});

test('a bad retraining input fails the workflow with one clear message', async () => {
  const h = await start({ window: { from: '2026-11-05', to: '2026-11-01' } });
  const err = await h.result().catch((e) => e);
  expect(err).toBeInstanceOf(WorkflowFailedError);
  expect((err as WorkflowFailedError).cause?.message).toBe('RetrainPersonas input: window: window.from must not be after window.to');
});
