import { outsidePartitionRange } from '../../config/config';
import type { ActivityDeps } from '../../lib/deps';
import { activityContext } from '../../lib/heartbeat';
import { nowUtc } from '../ingest/load-bronze';

/** How a NightlyPipeline run ended, as ops.pipeline_runs keeps it (backfills read it). */
export type RunOutcome = 'succeeded' | 'blocked' | 'failed' | 'cancelled' | 'terminated';

/** How any workflow run stands or ended, as ops.workflow_runs keeps it. */
/** `continued`: the run started over as a new run of its workflow id (continue-as-new), which records the end. */
export type RunStatus = 'running' | 'succeeded' | 'blocked' | 'failed' | 'cancelled' | 'refused' | 'terminated' | 'continued';

export interface PartitionStatus {
  date: string;
  /** Outcome of the latest NightlyPipeline run for the date, or null when it never ran. */
  status: RunOutcome | null;
}

export interface RecordWorkflowRunInput {
  workflowType: string;
  /** The partition the run is about (the last day of a range), or null. */
  partition: string | null;
  status: RunStatus;
  /** The run's summary, or the root cause of its failure. */
  summary: string;
  /** Also write the partition's ops.pipeline_runs row (NightlyPipeline runs that own their partition). */
  ledger: boolean;
  /** With `running`: every date the run is about (a range's ends), checked against DAG_PARTITION_MIN..MAX. */
  dates?: string[];
}

export interface RecordWorkflowRunResult {
  /** Earlier runs of this workflow id still marked `running` (terminated, timed out), now marked `terminated`. */
  reconciled: string[];
  /** Set when a date is outside the configured partition range: the run must not start (nothing was recorded). */
  refused?: string;
}

const TERMINATED = 'ended without recording its end (terminated or timed out)';

export function createRunActivities(deps: ActivityDeps) {
  const { warehouse: wh } = deps;
  return {
    /** Records how a NightlyPipeline run ended (for backfills and dashboards). */
    async recordPipelineRun(input: { date: string; status: RunOutcome; summary: string }): Promise<void> {
      const info = activityContext()?.info.workflowExecution;
      await wh.transaction(async (tx) => {
        await tx.exec(`delete from ops.pipeline_runs where partition_date = cast($d as date) and run_id = $run`, { d: input.date, run: info?.runId ?? null });
        await tx.exec(`insert into ops.pipeline_runs values (cast($d as date), $wf, $run, $status, $summary, cast($now as timestamp))`, {
          d: input.date,
          wf: info?.workflowId ?? null,
          run: info?.runId ?? null,
          status: input.status,
          summary: input.summary,
          now: nowUtc(),
        });
      });
    },
    /**
     * Records a workflow run in ops.workflow_runs (replacing this run's row, so a retry after the
     * commit writes the same row): `running` at its start — which also marks earlier runs of the same
     * workflow id that are still `running` as `terminated`, since Temporal runs one execution per id
     * at a time — then how it ended. With `ledger`, the partition's ops.pipeline_runs row too.
     */
    async recordWorkflowRun(input: RecordWorkflowRunInput): Promise<RecordWorkflowRunResult> {
      if (input.status === 'running') {
        const refused = outsidePartitionRange(deps.config, input.partition, ...(input.dates ?? []));
        if (refused) return { reconciled: [], refused };
      }
      const info = activityContext()?.info.workflowExecution;
      const ids = { wf: info?.workflowId ?? null, run: info?.runId ?? null };
      const now = nowUtc();
      return wh.transaction(async (tx) => {
        let reconciled: string[] = [];
        if (input.status === 'running') {
          const stale = await tx.query<{ run_id: string; workflow_type: string; d: string | null }>(
            `select run_id, workflow_type, cast(partition_date as varchar) as d from ops.workflow_runs where workflow_id = $wf and run_id <> $run and status = 'running'`,
            ids,
          );
          reconciled = stale.map((s) => s.run_id);
          const summary = `${TERMINATED}; reconciled by run ${ids.run}`;
          await tx.exec(
            `update ops.workflow_runs set status = 'terminated', summary = $summary where workflow_id = $wf and run_id <> $run and status = 'running'`,
            {
              ...ids,
              summary,
            },
          );
          for (const s of stale.filter((r) => r.workflow_type === 'NightlyPipeline' && r.d)) {
            await tx.exec(`delete from ops.pipeline_runs where partition_date = cast($d as date) and run_id = $stale`, { d: s.d, stale: s.run_id });
            await tx.exec(`insert into ops.pipeline_runs values (cast($d as date), $wf, $stale, 'terminated', $summary, cast($now as timestamp))`, {
              d: s.d,
              wf: ids.wf,
              stale: s.run_id,
              summary,
              now,
            });
          }
        }
        const run = { run: ids.run };
        const [previous] = await tx.query<{ started: string }>(`select cast(started_at as varchar) as started from ops.workflow_runs where run_id = $run`, run);
        await tx.exec(`delete from ops.workflow_runs where run_id = $run`, run);
        await tx.exec(
          `insert into ops.workflow_runs values ($type, $wf, $run, cast($d as date), $status, $summary, cast($started as timestamp), cast($finished as timestamp))`,
          {
            ...ids,
            type: input.workflowType,
            d: input.partition,
            status: input.status,
            summary: input.summary,
            started: previous?.started ?? now,
            finished: input.status === 'running' ? null : now,
          },
        );
        if (input.ledger && input.partition && input.status !== 'running' && input.status !== 'refused' && input.status !== 'continued') {
          await tx.exec(`delete from ops.pipeline_runs where partition_date = cast($d as date) and run_id = $run`, { ...run, d: input.partition });
          await tx.exec(`insert into ops.pipeline_runs values (cast($d as date), $wf, $run, $status, $summary, cast($now as timestamp))`, {
            ...ids,
            d: input.partition,
            status: input.status,
            summary: input.summary,
            now,
          });
        }
        return { reconciled };
      });
    },
    /** Latest outcome per date in [from, to]. */
    async partitionStatuses(input: { from: string; to: string }): Promise<PartitionStatus[]> {
      const rows = await wh.query<{ d: string; status: RunOutcome }>(
        `select d, status from (
           select cast(partition_date as varchar) as d, status, row_number() over (partition by partition_date order by finished_at desc) as recency
           from ops.pipeline_runs where partition_date between cast($from as date) and cast($to as date)
         ) as latest where recency = 1`,
        { from: input.from, to: input.to },
      );
      return rows.map((r) => ({ date: r.d, status: r.status }));
    },
  };
}
