import { secretValues } from '../../config/config';
import type { ActivityDeps } from '../../lib/deps';
import { createScrub } from '../../lib/scrub';
import type { DecisionRecord } from '../../workflows/shared/approval';
import { nowUtc } from '../ingest/load-bronze';

export interface AuditEntry {
  planVersion: number | null;
  kind: 'plan' | 'dry_run' | 'verdict' | 'decision' | 'applied_operation' | 'outcome';
  actor: string;
  detail: string;
  payload?: unknown;
  /** Decisions only: who the signature proves, with which key, over which plan, and the outcome of the check. */
  verification?: { verifiedApprover: string | null; keyId: string | null; subjectHash: string | null; outcome: string };
}

/** Named, because run_id was added to the table after its first release (see cleaning_tables.sql). */
export const AUDIT_COLUMNS = 'workflow_id, run_id, partition_date, plan_version, kind, actor, detail, payload, recorded_at';
const DECISION_COLUMNS = 'verified_approver, approver_key_id, subject_hash, verification';

/** One decision (applied or ignored, with why and how it was verified) as an audit row. */
export function decisionAuditEntry(r: DecisionRecord): AuditEntry {
  return {
    planVersion: r.version,
    kind: 'decision',
    actor: r.approver,
    detail: `${r.decision} via ${r.via}: ${r.outcome}${r.ignoredReason ? ` (${r.ignoredReason})` : ''}${r.reason ? ` — ${r.reason}` : ''}`,
    payload: r,
    verification: {
      verifiedApprover: r.verifiedApprover ?? null,
      keyId: r.keyId ?? null,
      subjectHash: r.subjectHash ?? null,
      outcome: r.verification ?? 'not recorded',
    },
  };
}

/** Appends entries to ops.cleaning_audit in one transaction; configured secrets never reach the table. */
export async function recordCleaningAudit(
  deps: ActivityDeps,
  input: { workflowId: string; runId: string | null; date: string; entries: AuditEntry[] },
): Promise<number> {
  const now = nowUtc();
  const scrub = createScrub(secretValues(deps.config));
  await deps.warehouse.transaction(async (tx) => {
    for (const e of input.entries) {
      await tx.exec(
        `insert into ops.cleaning_audit (${AUDIT_COLUMNS}, ${DECISION_COLUMNS}) values ($wf, $run, cast($d as date), $v, $kind, $actor, $detail, $payload, cast($now as timestamp), $who, $key, $hash, $verification)`,
        {
          wf: input.workflowId,
          run: input.runId,
          d: input.date,
          v: e.planVersion,
          kind: e.kind,
          actor: scrub(e.actor),
          detail: scrub(e.detail).slice(0, 2000),
          payload: e.payload === undefined ? null : scrub(JSON.stringify(e.payload)),
          now,
          who: e.verification?.verifiedApprover ?? null,
          key: e.verification?.keyId ?? null,
          hash: e.verification?.subjectHash ?? null,
          verification: e.verification?.outcome ?? null,
        },
      );
    }
  });
  return input.entries.length;
}
