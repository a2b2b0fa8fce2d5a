import type { ActivityDeps } from '../../lib/deps';
import { ensureCleaningTables } from '../cleaning/compile-context';
import { readCleaningDecisions, readOverview, readPersonaDecisions, type DecisionHistoryRow, type PartitionRow } from './overview';
import { samplePlan, type PlanSamplesInput } from './plan-samples';

/**
 * What the approvals console reads from the warehouse. The console never opens the warehouse
 * itself (DuckDB has one writer process, the worker): it starts the PartitionOverview and
 * DecisionEvidence workflows, whose activities run here, in the worker.
 */
export function createConsoleActivities(deps: ActivityDeps) {
  return {
    /** Statuses per date and layer for the partitions grid. */
    async readPartitionOverview(input: { from: string; to: string }): Promise<PartitionRow[]> {
      return readOverview(deps.warehouse, input.from, input.to);
    },
    /** Earlier decisions on a partition's cleaning plans, or on persona models. */
    async readDecisionHistory(input: { kind: 'cleaning_plan' | 'persona_model'; date?: string }): Promise<DecisionHistoryRow[]> {
      if (input.kind === 'persona_model') return readPersonaDecisions(deps.warehouse);
      return input.date ? readCleaningDecisions(deps.warehouse, input.date) : [];
    },
    /** Before/after sample rows of each operation of a plan, stored in the object store; returns the key. */
    async sampleCleaningPlan(input: PlanSamplesInput): Promise<{ key: string; operations: number }> {
      await ensureCleaningTables(deps);
      return samplePlan(deps, input);
    },
  };
}

export type ConsoleActivities = ReturnType<typeof createConsoleActivities>;
