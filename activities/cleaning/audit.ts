import type { ActivityDeps } from '../../lib/deps';
import { nowUtc } from '../ingest/load-bronze';

export interface AuditEntry {
  planVersion: number;
  kind: 'plan' | 'dry_run' | 'verdict' | 'decision' | 'applied_operation' | 'outcome';
  actor: string;
  detail: string;
  payload?: unknown;
}

/** Appends entries to ops.cleaning_audit in one transaction. */
export async function recordCleaningAudit(deps: ActivityDeps, input: { workflowId: string; date: string; entries: AuditEntry[] }): Promise<number> {
  const now = nowUtc();
  await deps.warehouse.transaction(async (tx) => {
    for (const e of input.entries) {
      await tx.exec(`insert into ops.cleaning_audit values ($wf, cast($d as date), $v, $kind, $actor, $detail, $payload, cast($now as timestamp))`, {
        wf: input.workflowId, d: input.date, v: e.planVersion, kind: e.kind, actor: e.actor, detail: e.detail.slice(0, 2000), payload: e.payload === undefined ? null : JSON.stringify(e.payload), now,
      });
    }
  });
  return input.entries.length;
}
