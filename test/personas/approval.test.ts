import { WorkflowFailedError, WorkflowUpdateFailedError } from '@temporalio/client';
import type { ActivityDeps } from '../../lib/deps';
import { registryEntry } from '../../activities/personas/registry';
import { personaApproval, RetrainPersonas, type RetrainInput } from '../../workflows/retrain-personas';
import type { Decision } from '../../workflows/shared/approval';
import { createTestEnv, type TestEnv } from '../support/temporal';
import { awaitingDecision, landDay, makePersonaWorker, openPersonaDeps } from './support/persona-env';

let env: TestEnv;
let deps: ActivityDeps;
let worker: Awaited<ReturnType<typeof makePersonaWorker>>;

beforeAll(async () => {
  env = await createTestEnv();
  deps = await openPersonaDeps({ env: { DAG_APPROVERS: 'alice,bob' } });
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
const decide = (h: Awaited<ReturnType<typeof start>>, d: Decision) => h.executeUpdate(personaApproval.update, { args: [d] });
const decisions = (workflowId: string) =>
  deps.warehouse.query<{ approver: string; decision: string; outcome: string; ignored_reason: string | null; via: string }>(
    `select approver, decision, outcome, ignored_reason, via from ml.persona_decisions where workflow_id = $id order by decided_at, approver`,
    { id: workflowId },
  );

test('accept: the candidate is promoted, the old version retired, the window relabelled and the decision audited', async () => {
  const h = await start({ requestedBy: 'carol', reason: 'test drift' });
  const state = await awaitingDecision(() => h.query(personaApproval.query));
  expect(state.subject).toMatchObject({ activeVersion: 1, window: WINDOW, reason: 'test drift', comparison: { k: 8, sampleSize: 3000 } });
  expect((await h.describe()).searchAttributes.CleaningStatus).toEqual(['AwaitingApproval']);
  const record = await decide(h, { decision: 'accept', approver: 'alice', reason: 'centroids barely moved', version: state.version! });
  expect(record).toMatchObject({ outcome: 'applied', via: 'update' });
  const result = await h.result();
  expect(result).toMatchObject({ outcome: 'promoted', baseVersion: 1, relabelled: { dates: 2, rows: 3000 } });
  expect((await registryEntry(deps)).version).toBe(result.candidateVersion);
  expect((await registryEntry(deps, 1)).status).toBe('retired');
  expect(
    await deps.warehouse.query(
      `select distinct model_version as v from ml.persona_labels where partition_date between date '2026-11-01' and date '2026-11-02'`,
    ),
  ).toEqual([{ v: result.candidateVersion }]);
  expect(await decisions(h.workflowId)).toEqual([{ approver: 'alice', decision: 'accept', outcome: 'applied', ignored_reason: null, via: 'update' }]);
  expect((await h.describe()).searchAttributes.CleaningStatus).toEqual(['Accepted']);
});

test('four-eyes, unknown approvers and stale versions are recorded and ignored; a malformed update is refused; a second decision is ignored', async () => {
  const h = await start({ requestedBy: 'alice' });
  const { version } = await awaitingDecision(() => h.query(personaApproval.query));
  const v = version!;
  expect(await decide(h, { decision: 'accept', approver: 'alice', version: v })).toMatchObject({
    outcome: 'ignored',
    ignoredReason: 'four-eyes: alice requested this and cannot also decide it',
  });
  expect(await decide(h, { decision: 'accept', approver: 'mallory', version: v })).toMatchObject({
    outcome: 'ignored',
    ignoredReason: 'mallory is not an approver (approvers: alice, bob)',
  });
  expect(await decide(h, { decision: 'accept', approver: 'bob', version: v - 1 })).toMatchObject({
    outcome: 'ignored',
    ignoredReason: `stale version ${v - 1}: the version awaiting a decision is ${v}`,
  });
  const malformed = await decide(h, { decision: 'maybe', approver: 'bob', version: v } as unknown as Decision).catch((e) => e);
  expect(malformed).toBeInstanceOf(WorkflowUpdateFailedError);
  // Two decisions at once: exactly one applies, the other is recorded as a second decision.
  await Promise.all([
    h.signal(personaApproval.signal, { decision: 'reject', approver: 'bob', reason: 'silhouette got worse', version: v }),
    decide(h, { decision: 'accept', approver: 'bob', version: v }),
  ]);
  const result = await h.result();
  const applied = (await decisions(h.workflowId)).filter((d) => d.outcome === 'applied');
  expect(applied).toHaveLength(1);
  expect(result.outcome).toBe(applied[0].decision === 'reject' ? 'rejected' : 'promoted');
  const rows = await decisions(h.workflowId);
  expect(rows.map((r) => r.ignored_reason ?? 'applied').sort()).toEqual(
    [
      'applied',
      `already decided: ${applied[0].decision} by bob`,
      'four-eyes: alice requested this and cannot also decide it',
      'mallory is not an approver (approvers: alice, bob)',
      `stale version ${v - 1}: the version awaiting a decision is ${v}`,
    ].sort(),
  );
  const history = (await h.query(personaApproval.query)).history;
  expect(history).toHaveLength(5);
});

test('no decision before the timeout is a recorded automatic rejection', async () => {
  const h = await start({ requestedBy: 'carol', approvalTimeout: '2s' });
  const result = await h.result();
  expect(result).toMatchObject({ outcome: 'timed_out', decision: { decision: 'reject', approver: 'system:timeout', via: 'timeout', outcome: 'applied' } });
  expect((await registryEntry(deps, result.candidateVersion)).status).toBe('rejected');
  expect(await decisions(h.workflowId)).toEqual([{ approver: 'system:timeout', decision: 'reject', outcome: 'applied', ignored_reason: null, via: 'timeout' }]);
  expect((await h.describe()).searchAttributes.CleaningStatus).toEqual(['TimedOut']);
});

test('a bad retraining input fails the workflow with one clear message', async () => {
  const h = await start({ window: { from: '2026-11-05', to: '2026-11-01' } });
  const err = await h.result().catch((e) => e);
  expect(err).toBeInstanceOf(WorkflowFailedError);
  expect((err as WorkflowFailedError).cause?.message).toBe('RetrainPersonas input: window: window.from must not be after window.to');
});
