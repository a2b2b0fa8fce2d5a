import type { ActivityDeps } from '../../lib/deps';
import { activityContext } from '../../lib/heartbeat';
import { nowUtc } from '../ingest/load-bronze';

export type RunOutcome = 'succeeded' | 'blocked' | 'failed';

export interface PartitionStatus {
  date: string;
  /** Outcome of the latest NightlyPipeline run for the date, or null when it never ran. */
  status: RunOutcome | null;
}

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
