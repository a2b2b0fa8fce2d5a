import { ApplicationFailure } from '@temporalio/common';
import type { ActivityDeps } from '../../lib/deps';
import { withHeartbeat } from '../../lib/heartbeat';
import { nowUtc } from '../ingest/load-bronze';
import { compileOperation, type Compiled } from '../../cleaning/compiler';
import { describeOperation, type CleanableTable, type CleaningPlan } from '../../cleaning/vocabulary';
import { AUDIT_COLUMNS } from './audit';
import { compileContext } from './compile-context';
import { rebuildDerived, rowCounts, silverTables } from './tables';

export interface ApplyResult {
  applied: number;
  rowsBefore: Record<CleanableTable, number>;
  rowsAfter: Record<CleanableTable, number>;
  rebuilt: string[];
  /** True when an earlier attempt already committed this plan version (retries are harmless). */
  alreadyApplied: boolean;
}

/**
 * Applies an accepted plan to silver in ONE transaction, together with an audit row per operation,
 * so silver is either cleaned and audited or untouched. Every operation is compiled before anything
 * runs: one refused operation refuses the whole plan (non-retryable).
 */
export async function applyCleaningPlan(
  deps: ActivityDeps,
  input: { date: string; plan: CleaningPlan; workflowId: string; runId: string | null },
): Promise<ApplyResult> {
  const wh = deps.warehouse;
  const tables = silverTables();
  const v = input.plan.version;
  const ctx = await compileContext(deps, wh, tables, { date: input.date, workflowId: input.workflowId, version: v });
  const compiled = input.plan.operations.map((op) => compileOperation(op, ctx));
  const refused = compiled.map((c, i) => (c.ok ? null : `operation ${i + 1}: ${c.reason}`)).filter(Boolean);
  if (refused.length) throw ApplicationFailure.nonRetryable(`plan v${v} refused: ${refused.join('; ')}`, 'InvalidInput');
  return withHeartbeat(
    () =>
      wh.transaction(async (tx) => {
        const rowsBefore = await rowCounts(tx, tables, input.date);
        // Keyed by run: a later review of the same date (same workflow id, versions from 1 again) applies its own plan.
        const done = await tx.query<{ n: number }>(
          `select count(*) as n from ops.cleaning_audit where workflow_id = $wf and coalesce(run_id, '') = coalesce($run, '') and plan_version = $v and kind = 'applied_operation'`,
          { wf: input.workflowId, run: input.runId, v },
        );
        if (Number(done[0].n) > 0) return { applied: 0, rowsBefore, rowsAfter: rowsBefore, rebuilt: [], alreadyApplied: true };
        const cleaned = new Set<CleanableTable>();
        for (const [i, c] of (compiled as Extract<Compiled, { ok: true }>[]).entries()) {
          const before = await rowCounts(tx, tables, input.date);
          for (const st of c.statements) await tx.exec(st.sql, st.params);
          const after = await rowCounts(tx, tables, input.date);
          cleaned.add(c.table);
          await tx.exec(
            `insert into ops.cleaning_audit (${AUDIT_COLUMNS}) values ($wf, $run, cast($d as date), $v, 'applied_operation', 'system:apply', $detail, $payload, cast($now as timestamp))`,
            {
              wf: input.workflowId,
              run: input.runId,
              d: input.date,
              v,
              detail: `${i + 1}. ${describeOperation(c.op)}: ${c.table} ${before[c.table]} → ${after[c.table]} rows`,
              payload: JSON.stringify(c.op),
              now: nowUtc(),
            },
          );
        }
        const rebuilt = await rebuildDerived(deps, tx, input.date, cleaned, tables);
        return { applied: compiled.length, rowsBefore, rowsAfter: await rowCounts(tx, tables, input.date), rebuilt, alreadyApplied: false };
      }),
    () => ({ date: input.date, planVersion: v }),
  );
}
