import type { Client } from '@temporalio/client';
import type { DecisionHistoryRow, PartitionRow } from '../activities/console/overview';
import type { PlanSamples } from '../activities/console/plan-samples';
import { planSamplesKey } from '../activities/console/plan-samples';
import type { ObjectStore } from '../adapters/object-store/object-store';
import { DecisionEvidence, PartitionOverview } from '../workflows';
import type { DecisionView } from './approvals';

/**
 * The console's read path to the warehouse: through the worker, never the DuckDB file (it has
 * one writer process). Grid statuses come back as a workflow result (small: statuses and
 * counts); sample rows are written by the worker to the object store and read from there, so
 * no data row enters a workflow history. Concurrent viewers share one run (USE_EXISTING).
 */
export interface WarehouseReader {
  partitions(from: string, to: string): Promise<PartitionRow[]>;
  evidence(view: DecisionView): Promise<{ samples?: PlanSamples; history: DecisionHistoryRow[] }>;
}

/** DecisionEvidence's input names (kept: its histories are captured). */
const EVIDENCE_KIND = { 'cleaning-plan': 'cleaning_plan', 'persona-model': 'persona_model' } as const;

/** How long a page waits for the worker before saying so (the read itself goes on and is reused). */
export const READ_WAIT_MS = 30_000;

export function workerReader(client: Client, store: ObjectStore, taskQueue: string, waitMs = READ_WAIT_MS): WarehouseReader {
  const run = async <T>(workflow: typeof PartitionOverview | typeof DecisionEvidence, workflowId: string, args: unknown[], summary: string): Promise<T> => {
    const handle = await client.workflow.start(workflow as (...a: unknown[]) => Promise<T>, {
      taskQueue,
      workflowId,
      args,
      workflowIdConflictPolicy: 'USE_EXISTING',
      workflowIdReusePolicy: 'ALLOW_DUPLICATE',
      staticSummary: summary,
      workflowExecutionTimeout: '10 minutes',
    });
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`no worker answered on task queue ${taskQueue} within ${waitMs / 1000} s: is \`dag worker\` (or \`dag dev\`) running?`)),
        waitMs,
      );
    });
    try {
      return await Promise.race([handle.result() as Promise<T>, late]);
    } finally {
      clearTimeout(timer);
    }
  };
  return {
    partitions: (from, to) =>
      run<PartitionRow[]>(PartitionOverview, `console-partitions-${taskQueue}-${from}-${to}`, [{ from, to }], `Console: partitions ${from}..${to}`),
    async evidence(view) {
      const key = view.cleaning && view.version !== null ? planSamplesKey(view.workflowId, view.runId, view.version) : undefined;
      const stored = key ? await store.exists(key) : false;
      const result = await run<{ samplesKey?: string; history: DecisionHistoryRow[] }>(
        DecisionEvidence,
        `console-evidence-${taskQueue}-${view.workflowId}-v${view.version ?? 0}`,
        [
          {
            kind: EVIDENCE_KIND[view.kind],
            workflowId: view.workflowId,
            runId: view.runId,
            date: view.date,
            ...(key && !stored ? { plan: view.cleaning!.plan } : {}),
          },
        ],
        `Console: evidence for ${view.workflowId} v${view.version ?? 0}`,
      );
      const samplesKey = result.samplesKey ?? (stored ? key : undefined);
      const samples = samplesKey ? (JSON.parse((await store.get(samplesKey)).toString('utf8')) as PlanSamples) : undefined;
      return { samples, history: result.history };
    },
  };
}
