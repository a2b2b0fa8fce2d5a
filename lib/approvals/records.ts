import { z } from 'zod';
import type { ApprovalPolicy } from './rules';

/**
 * What the workflow keeps of every decision it receives (history, query, audit), and the two
 * ways of making one that do not go through the signed rules: a malformed payload (kept as sent)
 * and the rules before signed decisions (only to replay decisions already in old histories).
 * Pure and sandbox-safe, like the rest of lib/approvals except keys.ts, policy.ts and client.ts.
 */
export interface DecisionRecord {
  decision: 'accept' | 'reject' | 'revise';
  /** The approver as sent; `verifiedApprover` is who the signature proves. */
  approver: string;
  reason?: string;
  /** The version as sent (planVersion or version); null when none was. */
  version: number | null;
  at: string;
  via: 'signal' | 'update' | 'timeout' | 'auto' | 'refused-update';
  outcome: 'applied' | 'ignored';
  ignoredReason?: string;
  verification?: string;
  verifiedApprover?: string;
  keyId?: string;
  subjectHash?: string;
  signedAt?: string;
  /** A malformed payload, as sent (truncated). */
  sent?: string;
}

/** Who decided, as the nightly's summary names them: the signature's approver when one was verified. */
export function approverOf(d: DecisionRecord | undefined): string {
  if (!d) return 'nobody';
  return d.verifiedApprover ? `${d.verifiedApprover} (signature verified)` : d.approver;
}

export function malformedRecord(raw: unknown, problem: string, via: DecisionRecord['via'], at: string): DecisionRecord {
  const r = (raw && typeof raw === 'object' ? raw : {}) as Record<string, unknown>;
  const sentVersion = r.planVersion ?? r.version;
  return {
    decision: r.decision === 'accept' || r.decision === 'revise' ? r.decision : 'reject',
    approver: typeof r.approver === 'string' ? r.approver.slice(0, 200) : '?',
    version: typeof sentVersion === 'number' && Number.isFinite(sentVersion) ? sentVersion : null,
    at,
    via,
    outcome: 'ignored',
    ignoredReason: `malformed decision: ${problem}`,
    verification: 'not checked',
    sent: (JSON.stringify(raw) ?? String(raw)).slice(0, 500),
  };
}

/** The rules before signed decisions, exactly: only to replay decisions already in old histories. */
const legacySchema = z.preprocess(
  (v) => {
    if (!v || typeof v !== 'object' || !('planVersion' in v) || 'version' in v) return v;
    const { planVersion, ...rest } = v as Record<string, unknown>;
    return { ...rest, version: planVersion };
  },
  z
    .object({
      decision: z.enum(['accept', 'reject', 'revise']),
      approver: z.string().trim().min(1).max(200),
      reason: z.string().max(2000).optional(),
      version: z.number().int().min(0),
    })
    .strict(),
);

export function legacyRecord(
  raw: unknown,
  via: 'signal' | 'update',
  at: string,
  { approvers, fourEyes }: Pick<ApprovalPolicy, 'approvers' | 'fourEyes'>,
  requester: string,
  version: number | null,
  decided: DecisionRecord | undefined,
): DecisionRecord {
  const parsed = legacySchema.safeParse(raw);
  if (!parsed.success) return malformedRecord(raw, parsed.error.issues.map((i) => `${i.path.join('.') || 'decision'}: ${i.message}`).join('; '), via, at);
  const d = parsed.data;
  const why =
    version === null
      ? 'nothing is awaiting a decision yet'
      : decided
        ? `already decided: ${decided.decision} by ${decided.approver}`
        : d.version !== version
          ? `stale version ${d.version}: the version awaiting a decision is ${version}`
          : approvers.length && !approvers.includes(d.approver)
            ? `${d.approver} is not an approver (approvers: ${approvers.join(', ')})`
            : fourEyes && d.approver === requester
              ? `four-eyes: ${d.approver} requested this and cannot also decide it`
              : undefined;
  return { ...d, at, via, outcome: why ? 'ignored' : 'applied', ...(why ? { ignoredReason: why } : {}), verification: 'unsigned (before signed decisions)' };
}
