import { z } from 'zod';
import { signingBytes, verifySignature, type DecisionKind, type SigningContext } from './protocol';

/**
 * Who may decide, and whether a decision counts: pure functions shared by the workflow (its update
 * validator refuses, its signal handler records and ignores) and by tests. No I/O, no clock: the
 * caller passes workflow time, so the same decision gets the same answer on every replay.
 */

/** One approver's public key (an approver may have several, e.g. while rotating). */
export interface ApproverKey {
  approver: string;
  keyId: string;
  publicKey: string;
}

/** From the worker's configuration only (an activity result): never from workflow input. */
export interface ApprovalPolicy {
  /** Every configured approver's name; only these may decide. Empty: nobody may (fail closed). */
  approvers: string[];
  keys: ApproverKey[];
  fourEyes: boolean;
  /** DAG_ALLOW_UNSIGNED_DECISIONS — a development setting: a listed name without a signature counts. */
  allowUnsigned: boolean;
  /** DAG_PERSONA_AUTO_PROMOTE: persona candidates are promoted without a decision. */
  autoPromote: boolean;
  /** Allowed difference between the signer's clock and workflow time. */
  clockSkewMs: number;
  /** Where the approvers came from, for messages: `DAG_APPROVERS`, `the local approver (.data/approvers)`. */
  source: string;
}

/** A policy recorded by an older worker ({approvers, fourEyes}) is read as one without keys: nobody can sign. */
export function normalizePolicy(p: Partial<ApprovalPolicy> & { approvers?: string[]; fourEyes?: boolean }): ApprovalPolicy {
  return {
    approvers: p.approvers ?? [],
    keys: p.keys ?? [],
    fourEyes: p.fourEyes ?? true,
    allowUnsigned: p.allowUnsigned ?? false,
    autoPromote: p.autoPromote ?? false,
    clockSkewMs: p.clockSkewMs ?? 5 * 60_000,
    source: p.source ?? 'a worker without approver keys (this run started before signed decisions)',
  };
}

const versionNumber = z
  .number({ error: 'must be a whole number like 1' })
  .int({ error: 'must be a whole number like 1' })
  .min(1, { error: 'must be 1 or more' });

/** A decision as sent (signal or update payload); `planVersion` and `version` are the same field. */
export const decisionPayload = z
  .object({
    decision: z.enum(['accept', 'reject', 'revise'], { error: 'must be "accept", "reject" or "revise"' }),
    approver: z.string({ error: "must be the approver's name" }).trim().min(1, { error: 'must not be empty' }).max(200),
    reason: z.string({ error: 'must be text' }).max(2000, { error: 'must be at most 2000 characters' }).optional(),
    planVersion: versionNumber.optional(),
    version: versionNumber.optional(),
    signedAt: z.string({ error: 'must be an ISO time' }).max(40).optional(),
    keyId: z.string({ error: 'must be text' }).max(64).optional(),
    signature: z.string({ error: 'must be hex text' }).max(256).optional(),
    /** Sent by clients after a refused update, so the refusal is recorded: never applied. */
    auditOnly: z
      .object({ refusal: z.string().max(500) })
      .strict()
      .optional(),
  })
  .strict();
export type DecisionPayload = z.input<typeof decisionPayload>;

export interface ParsedDecision {
  decision: DecisionKind;
  approver: string;
  reason?: string;
  version: number;
  /** The field the sender used, so messages speak their language. */
  versionField: 'planVersion' | 'version';
  signedAt?: string;
  keyId?: string;
  signature?: string;
  auditOnly?: { refusal: string };
}

/** One readable line per problem, naming fields as the sender typed them; never a zod dump. */
export function parseDecision(raw: unknown): { ok: true; decision: ParsedDecision } | { ok: false; problem: string } {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw))
    return { ok: false, problem: 'a decision is a JSON object like {"decision":"accept","planVersion":1,…}' };
  const r = decisionPayload.safeParse(raw);
  if (!r.success)
    return {
      ok: false,
      problem: r.error.issues
        .map((i) =>
          i.code === 'unrecognized_keys'
            ? i.keys.map((k) => `unknown field ${JSON.stringify(k)}`).join('; ')
            : `${i.path.join('.') || 'decision'}: ${i.message}`,
        )
        .join('; '),
    };
  const d = r.data;
  if (d.planVersion !== undefined && d.version !== undefined) return { ok: false, problem: 'give planVersion or version, not both' };
  const versionField = d.version !== undefined ? 'version' : 'planVersion';
  const version = d.version ?? d.planVersion;
  if (version === undefined) return { ok: false, problem: 'planVersion: required (the version awaiting a decision, e.g. 1)' };
  const { planVersion: _p, version: _v, ...rest } = d;
  return { ok: true, decision: { ...rest, version, versionField } };
}

/** The workflow's side of a decision: what awaits, since when, until when, and what was decided. */
export interface PendingState {
  /** "plan" or "model": how messages name the subject. */
  noun: string;
  toSign: SigningContext | null;
  requestedAt: number | null;
  deadline: number | null;
  requester: string;
  decided?: { decision: string; approver: string; version: number | null };
}

export interface Verdict {
  /** Why the decision does not count (one line, without the "refused: " prefix); absent when it counts. */
  refusal?: string;
  /** `verified`, `unsigned (DAG_ALLOW_UNSIGNED_DECISIONS)`, `failed: …` or `not checked`. */
  verification: string;
  verifiedApprover?: string;
  keyId?: string;
}

const iso = (ms: number) => new Date(ms).toISOString();

/** Every rule a decision must pass, cheapest first; the first that fails is the answer. */
export function evaluateDecision(s: PendingState, policy: ApprovalPolicy, d: ParsedDecision, now: number): Verdict {
  const refuse = (refusal: string, verification = 'not checked'): Verdict => ({ refusal, verification, keyId: d.keyId });
  const ctx = s.toSign;
  if (!ctx) return refuse('nothing awaits a decision yet');
  if (s.decided) return refuse(`${s.noun} v${s.decided.version} was already decided: ${s.decided.decision} by ${s.decided.approver}`);
  if (s.deadline !== null && now > s.deadline) return refuse(`the deadline for ${s.noun} v${ctx.version} passed at ${iso(s.deadline)}`);
  if (d.version !== ctx.version) return refuse(`${s.noun} v${ctx.version} is awaiting a decision, not v${d.version}`);
  if (!policy.approvers.length) return refuse(`no approvers are configured on the worker (${policy.source}): nobody can decide`);
  if (!policy.approvers.includes(d.approver)) return refuse(`${d.approver} is not an approver (approvers: ${policy.approvers.join(', ')})`);
  if (policy.fourEyes && d.approver === s.requester) return refuse(`four-eyes: ${d.approver} requested this and cannot also decide it`);
  if (d.signature === undefined) {
    if (policy.allowUnsigned) return { verification: 'unsigned (DAG_ALLOW_UNSIGNED_DECISIONS)' };
    return refuse(`the decision is not signed: sign it with the approver's key (dag approvals ${d.decision} …)`, 'failed: not signed');
  }
  if (!d.keyId || !d.signedAt) return refuse('a signed decision needs keyId and signedAt', 'failed: incomplete signature');
  const key = policy.keys.find((k) => k.keyId === d.keyId);
  if (!key) return refuse(`key ${d.keyId} is not a configured approver key`, 'failed: unknown key');
  if (key.approver !== d.approver) return refuse(`key ${d.keyId} belongs to ${key.approver}, not ${d.approver}`, 'failed: key of another approver');
  const signed = Date.parse(d.signedAt);
  if (Number.isNaN(signed)) return refuse(`signedAt: "${d.signedAt}" is not an ISO time`, 'failed: bad signedAt');
  const bytes = signingBytes(ctx, { decision: d.decision, reason: d.reason, approver: d.approver, keyId: d.keyId, signedAt: d.signedAt });
  if (!verifySignature(key.publicKey, d.signature, bytes))
    return refuse(
      `bad signature: it does not verify with ${key.approver}'s key ${key.keyId} for ${s.noun} v${ctx.version} of this run (signed for another ${s.noun}, version or workflow, or altered)`,
      'failed: bad signature',
    );
  if (signed > now + policy.clockSkewMs)
    return refuse(`signed in the future (signedAt ${d.signedAt}, workflow time ${iso(now)})`, 'failed: signed in the future');
  if (s.requestedAt !== null && signed < s.requestedAt - policy.clockSkewMs)
    return refuse(
      `signed at ${d.signedAt}, before ${s.noun} v${ctx.version} was presented (${iso(s.requestedAt)}): a replayed decision?`,
      'failed: signed too early',
    );
  return { verification: 'verified', verifiedApprover: key.approver, keyId: key.keyId };
}
