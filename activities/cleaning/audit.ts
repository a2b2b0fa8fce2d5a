import type { ActivityDeps } from '../../lib/deps';
import { nowUtc } from '../ingest/load-bronze';

export interface AuditEntry {
  planVersion: number;
  kind: 'plan' | 'dry_run' | 'verdict' | 'decision' | 'applied_operation' | 'outcome';
  actor: string;
  detail: string;
  payload?: unknown;
}

/** Named, because run_id was added to the table after its first release (see cleaning_tables.sql). */
export const AUDIT_COLUMNS = 'workflow_id, run_id, partition_date, plan_version, kind, actor, detail, payload, recorded_at';

/** Appends entries to ops.cleaning_audit in one transaction. */
export async function recordCleaningAudit(
  deps: ActivityDeps,
  input: { workflowId: string; runId: string | null; date: string; entries: AuditEntry[] },
): Promise<number> {
  const now = nowUtc();
  await deps.warehouse.transaction(async (tx) => {
    for (const e of input.entries) {
      await tx.exec(
        `insert into ops.cleaning_audit (${AUDIT_COLUMNS}) values ($wf, $run, cast($d as date), $v, $kind, $actor, $detail, $payload, cast($now as timestamp))`,
        {
          wf: input.workflowId,
          run: input.runId,
          d: input.date,
          v: e.planVersion,
          kind: e.kind,
          actor: e.actor,
          detail: e.detail.slice(0, 2000),
          payload: e.payload === undefined ? null : JSON.stringify(e.payload),
          now,
        },
      );
    }
  });
  return input.entries.length;
}
