import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import { importVendorFile } from '../../activities/personas/import-vendor';
import { registryEntry } from '../../activities/personas/registry';
import { describe as describeApproval, signDecision, type DecisionRecord } from '../../lib/approvals/client';
import { signWithPrivateKey, signingBytes } from '../../lib/approvals/protocol';
import { personaApproval, RetrainPersonas } from '../../workflows/retrain-personas';
import type { Decision } from '../../workflows/shared/approval';
import { landDay, VENDOR_FIXTURE } from '../personas/support/persona-env';
import { APPROVERS, keys, signers } from '../security/approvers';
import { createTestEnv, tempDataDir, type TestEnv, type TestWorker } from '../support/temporal';
import { scaled } from '../support/time';

/**
 * Issue #16's "done when", on the real dev server: every way a decision can fail to count is
 * refused with its reason and nothing is applied; a valid signed decision applies; the Temporal
 * CLI (what the Web UI's "Send an Update" does) shows the refusal. The subject is a persona
 * model (quick to train); cleaning plans share the same code (test/cleaning, test/security).
 */
const run = promisify(execFile);
const ROOT = path.resolve(__dirname, '../..');
let env: TestEnv;
let w: TestWorker;

beforeAll(async () => {
  env = await createTestEnv();
  w = await env.makeWorker({ env: { DAG_APPROVERS: APPROVERS } });
  await importVendorFile(w.deps, VENDOR_FIXTURE);
  await landDay(w.deps, { date: '2027-05-01', participants: 1500, seed: 1 });
}, 120_000);
afterAll(async () => {
  await w?.close();
  await env?.close();
});

type State = { status: string; version: number | null; history: DecisionRecord[] };
async function pendingRetrain(input: Record<string, unknown> = {}) {
  const h = await env.client.workflow.start(RetrainPersonas, {
    taskQueue: w.taskQueue,
    workflowId: `retrain-decision-${Math.random().toString(36).slice(2, 8)}`,
    args: [{ window: { from: '2027-05-01', to: '2027-05-01' }, sampleSize: 1500, requestedBy: 'carol', ...input }],
  });
  const deadline = Date.now() + scaled(120_000);
  for (;;) {
    const s = await h.query<State>(personaApproval.query.name).catch(() => undefined);
    if (s?.status === 'AwaitingApproval') break;
    if (Date.now() > deadline) throw new Error('no candidate awaited a decision');
    await new Promise((r) => setTimeout(r, 200));
  }
  return { h, d: await describeApproval(env.client, h.workflowId) };
}
const send = (h: WorkflowHandle, payload: Decision) =>
  h.executeUpdate(personaApproval.update, { args: [payload] }).then(
    (record) => ({ applied: record }),
    (e: Error) => (e instanceof WorkflowUpdateFailedError ? { refused: String(e.cause?.message) } : { error: e.message }),
  );
/** Nothing applied: still awaiting, no applied record, the candidate neither promoted nor rejected. */
async function nothingApplied(h: WorkflowHandle) {
  const s = await h.query<State>(personaApproval.query.name);
  expect(s.status).toBe('AwaitingApproval');
  expect(s.history.filter((r) => r.outcome === 'applied')).toEqual([]);
  expect((await registryEntry(w.deps, s.version!)).status).toBe('candidate');
}

test("an unlisted approver, a forged signature, another workflow, version or model, an edited reason, no signature, another approver's key: each refused, nothing applied; then a valid one applies", async () => {
  const { h, d } = await pendingRetrain();
  const other = await pendingRetrain();
  const ctx = d.toSign!;
  const v = ctx.version;
  const refusals = {
    unlisted: await send(h, await signDecision(ctx, { decision: 'accept' }, signers.mallory)),
    // mallory signs with her own key but claims to be bob with bob's key id.
    forged: await send(h, await signDecision(ctx, { decision: 'accept' }, { ...signers.mallory, approver: 'bob', keyId: keys.bob.keyId })),
    // The same version and model, signed for the other run awaiting a decision.
    otherWorkflow: await send(h, await signDecision({ ...ctx, workflowId: other.d.workflowId, runId: other.d.runId }, { decision: 'accept' }, signers.bob)),
    otherWorkflowAsIs: await send(h, await signDecision(other.d.toSign!, { decision: 'accept' }, signers.bob)),
    otherModel: await send(h, await signDecision({ ...ctx, subjectHash: other.d.toSign!.subjectHash }, { decision: 'accept' }, signers.bob)),
    otherVersion: await send(h, { ...(await signDecision({ ...ctx, version: v + 1 }, { decision: 'accept' }, signers.bob)), version: v }),
    editedReason: await send(h, { ...(await signDecision(ctx, { decision: 'reject', reason: 'drift is real' }, signers.bob)), decision: 'accept' }),
    unsigned: await send(h, { decision: 'accept', approver: 'bob', version: v }),
    wrongKeyOwner: await send(h, await signDecision(ctx, { decision: 'accept' }, { ...signers.alice, approver: 'bob' })),
  };
  const badSignature = {
    refused: expect.stringMatching(new RegExp(`^refused: bad signature: it does not verify with bob's key ${keys.bob.keyId} for model v${v} of this run`)),
  };
  expect(refusals).toEqual({
    unlisted: { refused: 'refused: mallory is not an approver (approvers: alice, bob)' },
    forged: badSignature,
    otherWorkflow: badSignature,
    otherWorkflowAsIs: { refused: `refused: model v${v} is awaiting a decision, not v${other.d.toSign!.version}` },
    otherModel: badSignature,
    otherVersion: badSignature,
    editedReason: badSignature,
    unsigned: { refused: "refused: the decision is not signed: sign it with the approver's key (dag approvals accept …)" },
    wrongKeyOwner: { refused: `refused: key ${keys.alice.keyId} belongs to alice, not bob` },
  });
  await nothingApplied(h);
  // Refused updates never entered history.
  expect((await h.query<State>(personaApproval.query.name)).history).toEqual([]);

  const valid = await send(h, await signDecision(ctx, { decision: 'accept', reason: 'fine' }, signers.bob));
  expect(valid).toEqual({ applied: expect.objectContaining({ outcome: 'applied', verification: 'verified', verifiedApprover: 'bob', keyId: keys.bob.keyId }) });
  expect(await h.result()).toMatchObject({ outcome: 'promoted' });
  await other.h.terminate('test done');
}, 300_000);

test('four-eyes, a second decision and a replayed decision are refused; nothing more applies', async () => {
  const { h, d } = await pendingRetrain({ requestedBy: 'alice' });
  const ctx = d.toSign!;
  expect(await send(h, await signDecision(ctx, { decision: 'accept' }, signers.alice))).toEqual({
    refused: 'refused: four-eyes: alice requested this and cannot also decide it',
  });
  await nothingApplied(h);
  const reject = await signDecision(ctx, { decision: 'reject', reason: 'not now' }, signers.bob);
  expect(await send(h, reject)).toMatchObject({ applied: { outcome: 'applied', decision: 'reject' } });
  // The same signed payload again, and another decision: the model was decided once. The run
  // may already have finished rejecting the candidate; either way nothing more applies.
  const again = await send(h, reject);
  const other = await send(h, await signDecision(ctx, { decision: 'accept' }, signers.bob));
  for (const answer of [again, other]) {
    expect(answer).not.toHaveProperty('applied');
    if ('refused' in answer) expect(answer.refused).toBe(`refused: model v${ctx.version} was already decided: reject by bob`);
    else expect((answer as { error: string }).error).toMatch(/completed|not found/i);
  }
  const result = await h.result();
  expect(result.outcome).toBe('rejected');
  expect((await registryEntry(w.deps, ctx.version)).status).toBe('rejected');
}, 300_000);

test('a decision after the timeout is refused; the timeout is the recorded decision', async () => {
  const { h, d } = await pendingRetrain({ approvalTimeout: '3s' });
  const result = await h.result();
  expect(result.decision).toMatchObject({ approver: 'system:timeout', via: 'timeout', verification: 'system' });
  const late = await send(h, await signDecision(d.toSign!, { decision: 'accept' }, signers.bob));
  expect(late).toEqual({ error: expect.stringMatching(/completed/i) });
  expect((await registryEntry(w.deps, d.toSign!.version)).status).toBe('rejected');
}, 300_000);

test('the Web UI path: a payload from `dag approvals sign`, sent with the Temporal CLI, shows the refusal in words — or applies', async () => {
  const { h } = await pendingRetrain();
  const dir = tempDataDir('keys-');
  for (const who of ['mallory', 'bob'] as const) fs.writeFileSync(path.join(dir, `${who}.key`), JSON.stringify(keys[who]), { mode: 0o600 });
  const cli = (file: string, args: string[]) =>
    run(file, args, { cwd: ROOT, env: { ...process.env, TEMPORAL_ADDRESS: env.address, DAG_DATA_DIR: dir } }).then(
      (r) => ({ code: 0, out: r.stdout, err: r.stderr }),
      (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, out: e.stdout, err: e.stderr }),
    );
  const sign = (who: string) =>
    cli(path.join(ROOT, 'bin/dag'), ['approvals', 'sign', h.workflowId, 'accept', '--reason', 'via the UI', '--key', path.join(dir, `${who}.key`)]);
  const updateWithTemporalCli = (payload: string) =>
    cli(env.cliPath, [
      'workflow',
      'update',
      'execute',
      '--address',
      env.address,
      '--workflow-id',
      h.workflowId,
      '--name',
      'personaDecision',
      '--input',
      payload,
    ]);

  const byMallory = await sign('mallory');
  expect(byMallory.code).toBe(0);
  const refused = await updateWithTemporalCli(byMallory.out.trim());
  expect(refused.code).not.toBe(0);
  expect(refused.out + refused.err).toContain('refused: mallory is not an approver (approvers: alice, bob)');
  expect(refused.out + refused.err).not.toMatch(/approval\.ts|node_modules/);
  await nothingApplied(h);

  const byBob = await sign('bob');
  const applied = await updateWithTemporalCli(byBob.out.trim());
  expect(applied.code).toBe(0);
  expect(await h.result()).toMatchObject({ outcome: 'promoted', decision: { verifiedApprover: 'bob', reason: 'via the UI' } });
}, 300_000);

test('the signed bytes bind every field: changing any one of them breaks the signature', () => {
  const ctx = { workflowId: 'w', runId: 'r', subjectKind: 'persona-model', version: 2, subjectHash: 'sha256:00' };
  const fields = { decision: 'accept' as const, reason: 'ok', approver: 'bob', keyId: keys.bob.keyId, signedAt: '2027-01-01T00:00:00.000Z' };
  const base = Buffer.from(signingBytes(ctx, fields)).toString();
  const variants = [
    signingBytes({ ...ctx, workflowId: 'w2' }, fields),
    signingBytes({ ...ctx, runId: 'r2' }, fields),
    signingBytes({ ...ctx, subjectKind: 'cleaning-plan' }, fields),
    signingBytes({ ...ctx, version: 3 }, fields),
    signingBytes({ ...ctx, subjectHash: 'sha256:01' }, fields),
    signingBytes(ctx, { ...fields, decision: 'reject' }),
    signingBytes(ctx, { ...fields, reason: 'ok ' }),
    signingBytes(ctx, { ...fields, approver: 'alice' }),
    signingBytes(ctx, { ...fields, keyId: keys.alice.keyId }),
    signingBytes(ctx, { ...fields, signedAt: '2027-01-01T00:00:01.000Z' }),
  ].map((b) => Buffer.from(b).toString());
  expect(new Set([base, ...variants]).size).toBe(variants.length + 1);
  expect(signWithPrivateKey(keys.bob.privateKey, signingBytes(ctx, fields))).toMatch(/^[0-9a-f]{128}$/);
});

test('auto-promotion comes from the worker configuration (DAG_PERSONA_AUTO_PROMOTE), recorded as such', async () => {
  const auto = await env.makeWorker({ env: { DAG_APPROVERS: APPROVERS, DAG_PERSONA_AUTO_PROMOTE: 'true' } });
  try {
    await importVendorFile(auto.deps, VENDOR_FIXTURE);
    await landDay(auto.deps, { date: '2027-05-01', participants: 1500, seed: 1 });
    const h = await env.client.workflow.start(RetrainPersonas, {
      taskQueue: auto.taskQueue,
      workflowId: `retrain-auto-${Math.random().toString(36).slice(2, 8)}`,
      args: [{ window: { from: '2027-05-01', to: '2027-05-01' }, sampleSize: 1500 }],
    });
    const result = await h.result();
    expect(result).toMatchObject({ outcome: 'promoted', decision: { approver: 'system:auto-promote', via: 'auto', verification: 'DAG_PERSONA_AUTO_PROMOTE' } });
    const rows = await auto.deps.warehouse.query(`select approver, via, verification from ml.persona_decisions where workflow_id = $id`, { id: h.workflowId });
    expect(rows).toEqual([{ approver: 'system:auto-promote', via: 'auto', verification: 'DAG_PERSONA_AUTO_PROMOTE' }]);
  } finally {
    await auto.close();
  }
}, 300_000);
