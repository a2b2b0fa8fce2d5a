import { secretValues } from '../../config/config';
import type { ActivityDeps } from '../../lib/deps';
import { createScrub } from '../../lib/scrub';
import type { DecisionRecord } from '../../workflows/shared/approval';

const COLUMNS =
  'workflow_id, subject_version, decision, approver, reason, outcome, ignored_reason, via, decided_at, verified_approver, approver_key_id, subject_hash, verification';

/**
 * Appends decision records to ml.persona_decisions (the audit trail; applied and ignored alike),
 * with who the signature proves, the key, the model hash and the outcome of the check.
 */
export async function recordPersonaDecisions(deps: ActivityDeps, input: { workflowId: string; records: DecisionRecord[] }): Promise<number> {
  const scrub = createScrub(secretValues(deps.config));
  await deps.warehouse.transaction(async (tx) => {
    for (const r of input.records) {
      await tx.exec(
        `insert into ml.persona_decisions (${COLUMNS}) values ($wf, $v, $decision, $approver, $reason, $outcome, $ignored, $via, cast($at as timestamp), $who, $key, $hash, $verification)`,
        {
          wf: input.workflowId,
          v: r.version,
          decision: r.decision,
          approver: scrub(r.approver),
          reason: r.reason === undefined ? null : scrub(r.reason),
          outcome: r.outcome,
          ignored: r.ignoredReason === undefined ? null : scrub(r.ignoredReason),
          via: r.via,
          at: r.at.replace('T', ' ').replace('Z', ''),
          who: r.verifiedApprover ?? null,
          key: r.keyId ?? null,
          hash: r.subjectHash ?? null,
          verification: r.verification ?? null,
        },
      );
    }
  });
  return input.records.length;
}
