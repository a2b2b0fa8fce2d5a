import type { ActivityDeps } from '../../lib/deps';
import { withHeartbeat } from '../../lib/heartbeat';
import { compileOperation } from '../../cleaning/compiler';
import type { DryRunResult } from '../../cleaning/types';
import type { CleanableTable, CleaningPlan, Operation } from '../../cleaning/vocabulary';
import { compileContext } from './compile-context';
import { copyPartition, dropPartitionCopy, evaluateSilverChecks, rebuildDerived, rowCounts, stagingTables } from './tables';

export interface DryRunInput {
  date: string;
  plan: CleaningPlan;
  workflowId: string;
}

/**
 * Applies the plan to a staging copy of the partition's silver tables and compares row counts
 * and silver check results before and after. Silver itself is not touched; quarantining runs as
 * a plain delete here so the dry run leaves no quarantine records behind.
 */
export async function dryRunCleaningPlan(deps: ActivityDeps, input: DryRunInput): Promise<DryRunResult> {
  const wh = deps.warehouse;
  const tables = stagingTables(input.date);
  return withHeartbeat(
    async () => {
      await dropPartitionCopy(wh, input.date);
      await copyPartition(deps, input.date, tables);
      try {
        const ctx = await compileContext(deps, wh, tables, { date: input.date, workflowId: input.workflowId, version: input.plan.version });
        const checksBefore = await evaluateSilverChecks(deps, wh, input.date, tables);
        const rowsBefore = await rowCounts(wh, tables, input.date);
        const refused: DryRunResult['refused'] = [];
        const cleaned = new Set<CleanableTable>();
        for (const [index, op] of input.plan.operations.entries()) {
          const asRun: Operation = op.op === 'quarantine_flagged_rows' ? { ...op, op: 'drop_flagged_rows' } : op;
          const compiled = compileOperation(asRun, ctx);
          if (!compiled.ok) {
            refused.push({ index, reason: compiled.reason });
            continue;
          }
          for (const st of compiled.statements) await wh.exec(st.sql, st.params);
          cleaned.add(compiled.table);
        }
        const rebuilt = await rebuildDerived(deps, wh, input.date, cleaned, tables);
        const checksAfter = await evaluateSilverChecks(deps, wh, input.date, tables);
        const passedBefore = new Set(checksBefore.filter((c) => c.status === 'pass').map((c) => c.check));
        return {
          planVersion: input.plan.version,
          rowsBefore,
          rowsAfter: await rowCounts(wh, tables, input.date),
          checksBefore,
          checksAfter,
          stillFailing: checksAfter.filter((c) => c.status === 'fail').map((c) => c.check),
          newlyFailing: checksAfter.filter((c) => c.status !== 'pass' && c.status !== 'not_evaluated' && passedBefore.has(c.check)).map((c) => c.check),
          refused,
          rebuilt,
        };
      } finally {
        await dropPartitionCopy(wh, input.date);
      }
    },
    () => ({ date: input.date, planVersion: input.plan.version }),
  );
}
