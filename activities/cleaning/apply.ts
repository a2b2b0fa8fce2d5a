import { ApplicationFailure } from '@temporalio/common';
import type { Session } from '../../adapters/warehouse/warehouse';
import type { ActivityDeps } from '../../lib/deps';
import { withHeartbeat } from '../../lib/heartbeat';
import { nowUtc } from '../ingest/load-bronze';
import { compileOperation, type Compiled } from '../../cleaning/compiler';
import { describeOperation, type CleanableTable, type CleaningPlan } from '../../cleaning/vocabulary';
import { AUDIT_COLUMNS } from './audit';
import { renderSql } from '../../lib/sql/render';
import { compileContext } from './compile-context';
import { effectOf, tableState, type OperationEffect } from './effects';
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
 * Applies an accepted plan to silver in ONE transaction, together with an audit row per operation
 * and the plan's record in ops.cleaning_plans (what each operation took out), so silver is either
 * cleaned, audited and recorded for re-application, or untouched. Every operation is compiled
 * before anything runs: one refused operation refuses the whole plan (non-retryable).
 */
export async function applyCleaningPlan(
  deps: ActivityDeps,
  input: { date: string; plan: CleaningPlan; workflowId: string; runId: string | null; acceptedBy?: string; reason?: string },
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
        const effects: OperationEffect[] = [];
        const hash = (expr: string) => renderSql(`{{ hash_key(${expr}) }}`, wh.dialect);
        for (const [i, c] of (compiled as Extract<Compiled, { ok: true }>[]).entries()) {
          const before = await rowCounts(tx, tables, input.date);
          const stateBefore = await tableState(tx, tables[c.table], c.table, input.date, hash);
          for (const st of c.statements) await tx.exec(st.sql, st.params);
          const after = await rowCounts(tx, tables, input.date);
          effects.push(effectOf(c.table, stateBefore, await tableState(tx, tables[c.table], c.table, input.date, hash)));
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
        await recordAcceptedPlan(tx, input, effects);
        return { applied: compiled.length, rowsBefore, rowsAfter: await rowCounts(tx, tables, input.date), rebuilt, alreadyApplied: false };
      }),
    () => ({ date: input.date, planVersion: v }),
  );
}

/**
 * The plan becomes part of its partition: recorded with what it took out, and re-applied on every
 * rebuild of the partition's silver. A plan of another review (a new delivery, a new decision)
 * supersedes the earlier reviews' plans; rounds of the same review add up.
 */
async function recordAcceptedPlan(
  tx: Session,
  input: { date: string; plan: CleaningPlan; workflowId: string; runId: string | null; acceptedBy?: string; reason?: string },
  effects: OperationEffect[],
): Promise<void> {
  const now = nowUtc();
  const review = { d: input.date, wf: input.workflowId, run: input.runId ?? '', now };
  await tx.exec(
    `update ops.cleaning_plans set superseded_at = cast($now as timestamp)
     where partition_date = cast($d as date) and superseded_at is null and (review_workflow_id <> $wf or coalesce(review_run_id, '') <> $run)`,
    review,
  );
  await tx.exec(
    `insert into ops.cleaning_plans (partition_date, review_workflow_id, review_run_id, plan_version, accepted_by, accepted_reason, accepted_at, plan, effects)
     values (cast($d as date), $wf, $run, $v, $by, $reason, cast($now as timestamp), $plan, $effects)`,
    {
      ...review,
      v: input.plan.version,
      by: input.acceptedBy ?? 'unknown',
      reason: input.reason ?? null,
      plan: JSON.stringify(input.plan),
      effects: JSON.stringify(effects),
    },
  );
}
