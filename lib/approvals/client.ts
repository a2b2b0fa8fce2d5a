import { WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import type { ApprovalState, Decision, DecisionRecord } from '../../workflows/shared/approval';
import type { Signer } from './keys';
import { hashSubject, signingBytes, type DecisionKind, type SigningContext } from './protocol';
import { SUBJECTS, subjectOfWorkflowType, type SubjectKind } from './subjects';

/**
 * The client side of approvals, for every subject (cleaning plans, persona models): list what
 * awaits a decision, describe one, and decide — as the signed Temporal Update the workflow
 * verifies. `dag approvals` uses it; so does the approvals console.
 */
export { approverLine, generateKeyPair, loadSigner, readKeyFile, signerFromKey, writeKeyFile, type KeyFile, type Signer } from './keys';
export type { DecisionRecord } from '../../workflows/shared/approval';

/** The visibility query the UI can use too. CleaningStatus finds reviews started before ApprovalStatus existed. */
export const PENDING_QUERY = `ExecutionStatus = 'Running' AND (ApprovalStatus = 'AwaitingApproval' OR CleaningStatus = 'AwaitingApproval')`;

export interface PendingApproval {
  workflowId: string;
  runId: string;
  workflowType: string;
  subjectKind: SubjectKind;
  /** What is decided, in words: `plan v1 for partition 2026-11-01`, `persona model v3`. */
  title: string;
  version: number | null;
  /** Cleaning plans: the checks that block the partition. */
  failedChecks: string[];
  /** Who asked for the decision (`system:nightly`, `system:drift`, a person). */
  requester: string;
  /** The partition (cleaning plans) or the last day of the training window (persona models). */
  date: string | null;
  startedAt: Date;
  /** When this version was presented and when it is rejected automatically (ISO), if known. */
  requestedAt: string | null;
  deadline: string | null;
  ageMinutes: number;
}

export interface ApprovalDescription<TSubject = unknown> extends ApprovalState<TSubject> {
  workflowId: string;
  runId: string;
  workflowType: string;
  /** False once the workflow has finished: no decision can apply any more. */
  running: boolean;
  executionStatus: string;
}

/** Everything awaiting a decision, oldest first; `taskQueue` keeps to one deployment's runs (the console's). */
export async function listPending(client: Client, now = Date.now(), opts: { taskQueue?: string } = {}): Promise<PendingApproval[]> {
  if (opts.taskQueue !== undefined && !/^[A-Za-z0-9._-]+$/.test(opts.taskQueue)) throw new Error(`bad task queue ${JSON.stringify(opts.taskQueue)}`);
  const query = opts.taskQueue ? `${PENDING_QUERY} AND TaskQueue = '${opts.taskQueue}'` : PENDING_QUERY;
  const out: PendingApproval[] = [];
  for await (const wf of client.workflow.list({ query })) {
    const subject = subjectOfWorkflowType(wf.type);
    if (!subject) continue;
    const state = await client.workflow
      .getHandle(wf.workflowId, wf.runId)
      .query<ApprovalState<unknown>>(subject.info.query)
      .catch(() => undefined);
    // Visibility lags the workflow a little: trust the workflow's own answer.
    if (state && state.status !== 'AwaitingApproval') continue;
    out.push({
      workflowId: wf.workflowId,
      runId: wf.runId,
      workflowType: wf.type,
      subjectKind: subject.kind,
      title: titleOf(subject.kind, state),
      version: state?.version ?? null,
      failedChecks: (state?.subject as { failedChecks?: string[] } | null)?.failedChecks ?? [],
      requester: state?.requester ?? '',
      date: dateOf(state),
      startedAt: wf.startTime,
      requestedAt: state?.requestedAt ?? null,
      deadline: state?.deadline ?? null,
      ageMinutes: Math.round((now - (state?.requestedAt ? Date.parse(state.requestedAt) : wf.startTime.getTime())) / 60_000),
    });
  }
  return out.sort((a, b) => (a.requestedAt ?? a.startedAt.toISOString()).localeCompare(b.requestedAt ?? b.startedAt.toISOString()));
}

function dateOf(s: ApprovalState<unknown> | undefined): string | null {
  const sub = s?.subject as { date?: string; window?: { to: string } } | null | undefined;
  return sub?.date ?? sub?.window?.to ?? null;
}

function titleOf(kind: SubjectKind, s: ApprovalState<unknown> | undefined): string {
  const v = s?.version ?? '?';
  const sub = s?.subject as { date?: string; window?: { from: string; to: string } } | null | undefined;
  if (kind === 'cleaning-plan') return `plan v${v} for partition ${sub?.date ?? '?'}`;
  return `persona model v${v}${sub?.window ? ` trained on ${sub.window.from}..${sub.window.to}` : ''}`;
}

/**
 * The subject awaiting a decision (plan or model), its version, the hash a signature must cover,
 * and every decision so far. The hash is recomputed here from the subject received, so what a
 * person reads is what they sign.
 */
export async function describe<TSubject = unknown>(client: Client, workflowId: string): Promise<ApprovalDescription<TSubject>> {
  const run = await client.workflow.getHandle(workflowId).describe();
  const subject = subjectOfWorkflowType(run.type);
  if (!subject)
    throw new Error(
      `${workflowId} is a ${run.type}, which asks nobody for approval (approvals: ${Object.values(SUBJECTS)
        .map((s) => s.workflowType)
        .join(', ')})`,
    );
  const state = await client.workflow.getHandle(workflowId, run.runId).query<ApprovalState<TSubject>>(subject.info.query);
  if (state.toSign && state.subject !== null && hashSubject(state.subject) !== state.toSign.subjectHash)
    throw new Error(`${workflowId}: the ${subject.info.noun} received does not match the hash the workflow asks to sign; refusing to sign it`);
  return {
    ...state,
    subjectKind: state.subjectKind ?? subject.kind,
    toSign: state.toSign ?? null,
    history: state.history ?? [],
    workflowId,
    runId: run.runId,
    workflowType: run.type,
    running: run.status.name === 'RUNNING',
    executionStatus: run.status.name,
  };
}

export interface DecisionInput {
  decision: DecisionKind;
  reason?: string;
  /** The version the person read; default: the one awaiting now. */
  version?: number;
  /** The subject hash the person read (from describe); default: the one awaiting now. */
  subjectHash?: string;
}

/** Development only (DAG_ALLOW_UNSIGNED_DECISIONS=true on the worker): a decision without a signature. */
export interface UnsignedApprover {
  unsigned: true;
  approver: string;
}

/** The payload to send (also printed by `dag approvals sign` for the Web UI / temporal CLI). */
export async function signDecision(toSign: SigningContext, input: DecisionInput, signer: Signer | UnsignedApprover, now = new Date()): Promise<Decision> {
  const ctx = { ...toSign, version: input.version ?? toSign.version, subjectHash: input.subjectHash ?? toSign.subjectHash };
  const base = { decision: input.decision, approver: signer.approver, ...(input.reason ? { reason: input.reason } : {}), version: ctx.version };
  if ('unsigned' in signer) return base;
  const signedAt = now.toISOString();
  const signature = await signer.sign(
    signingBytes(ctx, { decision: input.decision, reason: input.reason, approver: signer.approver, keyId: signer.keyId, signedAt }),
  );
  return { ...base, signedAt, keyId: signer.keyId, signature };
}

export type DecideResult = { ok: true; record: DecisionRecord } | { ok: false; refusal: string; recorded: boolean };

/**
 * Signs and sends a decision as the workflow's Update. The answer is the workflow's: the applied
 * decision, or its one-line refusal (`refused: plan v1 is awaiting a decision, not v7`). A refused
 * Update never enters history, so the same decision is then sent as an audit-only signal: the
 * workflow records it, with its own reason, in its history and audit table (`recorded`).
 */
export async function decide(client: Client, workflowId: string, input: DecisionInput, signer: Signer | UnsignedApprover): Promise<DecideResult> {
  const d = await describe(client, workflowId);
  if (!d.running)
    return { ok: false, refusal: `refused: ${workflowId} has finished (${d.executionStatus.toLowerCase()}): no decision can apply`, recorded: false };
  if (!d.toSign) return { ok: false, refusal: `refused: nothing awaits a decision in ${workflowId} yet (${d.status})`, recorded: false };
  const payload = await signDecision(d.toSign, input, signer);
  const handle = client.workflow.getHandle(workflowId, d.runId);
  const names = SUBJECTS[d.subjectKind];
  try {
    return { ok: true, record: await handle.executeUpdate<DecisionRecord, [Decision]>(names.decision, { args: [payload] }) };
  } catch (err) {
    if (!(err instanceof WorkflowUpdateFailedError)) {
      const now = await describe(client, workflowId).catch(() => undefined);
      if (now && !now.running)
        return { ok: false, refusal: `refused: ${workflowId} has finished (${now.executionStatus.toLowerCase()}): no decision can apply`, recorded: false };
      throw err;
    }
    const refusal = (err.cause?.message ?? err.message).split('\n')[0];
    const recorded = await handle
      .signal(names.decision, { ...payload, auditOnly: { refusal: refusal.slice(0, 500) } })
      .then(() => true)
      .catch(() => false);
    return { ok: false, refusal, recorded };
  }
}
