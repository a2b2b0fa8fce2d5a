import type { ActivityDeps } from '../../lib/deps';
import type { DecisionRecord } from '../../workflows/shared/approval';

/** Appends decision records to ml.persona_decisions (the audit trail; applied and ignored alike). */
export async function recordPersonaDecisions(deps: ActivityDeps, input: { workflowId: string; records: DecisionRecord[] }): Promise<number> {
  await deps.warehouse.transaction(async (tx) => {
    for (const r of input.records) {
      await tx.exec(`insert into ml.persona_decisions values ($wf, $v, $decision, $approver, $reason, $outcome, $ignored, $via, cast($at as timestamp))`, {
        wf: input.workflowId,
        v: r.version,
        decision: r.decision,
        approver: r.approver,
        reason: r.reason ?? null,
        outcome: r.outcome,
        ignored: r.ignoredReason ?? null,
        via: r.via,
        at: r.at.replace('T', ' ').replace('Z', ''),
      });
    }
  });
  return input.records.length;
}
