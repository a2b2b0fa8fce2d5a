import type { ActivityDeps } from '../../lib/deps';
import { withHeartbeat } from '../../lib/heartbeat';
import { renderSql } from '../../lib/sql/render';
import { compileOperation } from '../../cleaning/compiler';
import { describeOperation, type CleanableTable, type CleaningPlan } from '../../cleaning/vocabulary';
import { nowUtc } from '../ingest/load-bronze';
import { AUDIT_COLUMNS } from './audit';
import { compileContext } from './compile-context';
import { effectOf, tableState, type OperationEffect } from './effects';
import { evaluateSilverChecks, rebuildDerived, silverTables } from './tables';

export interface ReplayResult {
  /** none: no accepted plan · not_needed: the checks pass without it · reapplied · inapplicable: rolled back, a person decides again. */
  status: 'none' | 'not_needed' | 'reapplied' | 'inapplicable';
  /** One line for the run summary, e.g. "cleaning plan v1 (accepted by bob) re-applied". */
  message: string | null;
  plans: { version: number; acceptedBy: string }[];
}

interface PlanRow {
  review_workflow_id: string;
  plan_version: number;
  accepted_by: string;
  plan: string;
  effects: string;
}

class NotApplicable extends Error {}

/**
 * Re-applies the partition's accepted cleaning plans (ops.cleaning_plans) after its silver was
 * rebuilt from bronze — a re-run, a backfill, a corrected delivery — so an approved cleaning is
 * never lost. Deterministic: the same operations compile to the same SQL, in acceptance order.
 *   - no accepted plan → nothing to do;
 *   - the silver checks pass without the plans → they are not needed and not applied;
 *   - every operation must take out exactly the rows it took out when it was accepted (count and
 *     keys); otherwise nothing is applied (one transaction, rolled back), the plan "no longer
 *     applies", the checks block, and the review that opens shows the previous decision.
 */
export async function reapplyCleaningPlans(deps: ActivityDeps, input: { date: string; workflowId: string; runId: string | null }): Promise<ReplayResult> {
  const wh = deps.warehouse;
  const rows = await wh.query<PlanRow & Record<string, unknown>>(
    `select review_workflow_id, plan_version, accepted_by, plan, effects from ops.cleaning_plans
     where partition_date = cast($d as date) and superseded_at is null order by accepted_at, plan_version`,
    { d: input.date },
  );
  const plans = rows.map((r) => ({ version: Number(r.plan_version), acceptedBy: r.accepted_by }));
  if (!rows.length) return { status: 'none', message: null, plans };
  const label = plans.map((p) => `cleaning plan v${p.version} (accepted by ${p.acceptedBy})`).join(', ');
  const outcome = (text: string) =>
    wh.exec(
      `update ops.cleaning_plans set last_outcome = $o, last_outcome_at = cast($now as timestamp) where partition_date = cast($d as date) and superseded_at is null`,
      { o: text, now: nowUtc(), d: input.date },
    );

  const tables = silverTables();
  // A retry after this run's replay committed: the audit rows say it was re-applied.
  const [done] = await wh.query<{ n: number }>(
    `select count(*) as n from ops.cleaning_audit where workflow_id = $wf and coalesce(run_id, '') = coalesce($run, '') and partition_date = cast($d as date) and kind = 'replayed_operation'`,
    { wf: input.workflowId, run: input.runId, d: input.date },
  );
  if (Number(done.n) > 0) return { status: 'reapplied', message: `${label} re-applied`, plans };

  const failing = (await evaluateSilverChecks(deps, wh, input.date, tables)).filter((c) => c.status === 'fail');
  if (!failing.length) {
    await outcome('not needed: the checks pass without it');
    return { status: 'not_needed', message: `${label} not needed: the checks pass without it`, plans };
  }
  const hash = (expr: string) => renderSql(`{{ hash_key(${expr}) }}`, wh.dialect);
  try {
    await withHeartbeat(
      () =>
        wh.transaction(async (tx) => {
          const cleaned = new Set<CleanableTable>();
          for (const row of rows) {
            const plan = JSON.parse(row.plan) as CleaningPlan;
            const accepted = JSON.parse(row.effects) as OperationEffect[];
            const version = Number(row.plan_version);
            // The review's workflow id and version, so quarantined rows stay filed under the decision.
            const ctx = await compileContext(deps, tx, tables, { date: input.date, workflowId: row.review_workflow_id, version });
            for (const [i, op] of plan.operations.entries()) {
              const c = compileOperation(op, ctx);
              if (!c.ok) throw new NotApplicable(`${describeOperation(op)}: ${c.reason}`);
              if (op.op === 'quarantine_flagged_rows') {
                await tx.exec(
                  `delete from ops.cleaning_quarantine where workflow_id = $wf and partition_date = cast($d as date) and plan_version = $v and table_name = $t and check_name = $c`,
                  { wf: row.review_workflow_id, d: input.date, v: version, t: c.table, c: op.check },
                );
              }
              const before = await tableState(tx, tables[c.table], c.table, input.date, hash);
              for (const st of c.statements) await tx.exec(st.sql, st.params);
              const effect = effectOf(c.table, before, await tableState(tx, tables[c.table], c.table, input.date, hash));
              const then = accepted[i];
              if (!then || then.table !== effect.table || then.removed !== effect.removed || then.fingerprint !== effect.fingerprint) {
                const other = then && then.removed === effect.removed ? ' (other rows)' : '';
                throw new NotApplicable(`${describeOperation(op)}: ${effect.removed} rows now, ${then?.removed ?? 'none'} when accepted${other}`);
              }
              cleaned.add(c.table);
              await tx.exec(
                `insert into ops.cleaning_audit (${AUDIT_COLUMNS}) values ($wf, $run, cast($d as date), $v, 'replayed_operation', 'system:replay', $detail, $payload, cast($now as timestamp))`,
                {
                  wf: input.workflowId,
                  run: input.runId,
                  d: input.date,
                  v: version,
                  detail: `plan v${version} of ${row.review_workflow_id} (accepted by ${row.accepted_by}), ${i + 1}. ${describeOperation(op)}: ${c.table} −${effect.removed} rows`,
                  payload: JSON.stringify(op),
                  now: nowUtc(),
                },
              );
            }
          }
          await rebuildDerived(deps, tx, input.date, cleaned, tables);
        }),
      () => ({ date: input.date, replaying: label }),
    );
  } catch (err) {
    if (!(err instanceof NotApplicable)) throw err;
    await outcome(`no longer applies: ${err.message}`);
    return {
      status: 'inapplicable',
      message: `${label} no longer applies (${err.message}); the checks decide and a new review shows the previous decision`,
      plans,
    };
  }
  await outcome('re-applied');
  return { status: 'reapplied', message: `${label} re-applied`, plans };
}

export interface PreviousDecision {
  version: number;
  acceptedBy: string;
  reason: string | null;
  acceptedAt: string;
  reviewWorkflowId: string;
  operations: string[];
  /** Why it no longer applies to the partition's current delivery (null when it still does). */
  notApplicable: string | null;
}

/** The partition's accepted plan a new review replaces, for the approver to see. */
export async function previousDecision(deps: ActivityDeps, date: string): Promise<PreviousDecision | undefined> {
  const [r] = await deps.warehouse.query<{
    plan_version: number;
    accepted_by: string;
    accepted_reason: string | null;
    at: string;
    review_workflow_id: string;
    plan: string;
    last_outcome: string | null;
  }>(
    `select plan_version, accepted_by, accepted_reason, cast(accepted_at as varchar) as at, review_workflow_id, plan, last_outcome
     from ops.cleaning_plans where partition_date = cast($d as date) and superseded_at is null order by accepted_at desc, plan_version desc limit 1`,
    { d: date },
  );
  if (!r) return undefined;
  const plan = JSON.parse(r.plan) as CleaningPlan;
  const prefix = 'no longer applies: ';
  return {
    version: Number(r.plan_version),
    acceptedBy: r.accepted_by,
    reason: r.accepted_reason,
    acceptedAt: r.at,
    reviewWorkflowId: r.review_workflow_id,
    operations: plan.operations.map(describeOperation),
    notApplicable: r.last_outcome?.startsWith(prefix) ? r.last_outcome.slice(prefix.length) : null,
  };
}
