import type { ActivityDeps } from '../../lib/deps';
import { activityContext } from '../../lib/heartbeat';
import { discoverModels } from '../../lib/sql/models';
import { nowUtc } from '../ingest/load-bronze';
import { stagingTable } from './build-model';
import { insertByName } from '../../lib/schema-evolution';

export interface PublishGoldResult {
  published: string[];
  /** Whole-table marts left alone because a later partition is already published. */
  skipped: string[];
  rows: number;
  /**
   * True when this workflow run had already published the partition (a retry of an attempt that
   * committed but whose completion Temporal never heard of): nothing was written again.
   */
  alreadyPublished?: boolean;
}

/**
 * Swaps a partition's staged gold into `gold` atomically: every model's rows are replaced in ONE
 * transaction together with the ops.gold_publications row, so readers see yesterday's gold or
 * today's, never a mix. Whole-table marts (RFM, monthly revenue) are only replaced when this
 * partition is the newest one published, so a backfill of an old date cannot roll them back.
 *
 * Safe to retry after it committed: the transaction first looks for this workflow run's own row in
 * the publication ledger and, when it is there, reports that publication instead of reading the
 * staging tables (already dropped by then). Dropping the staging tables is a separate step after
 * the commit; a failure there is logged and left to the next build or discard.
 */
export async function publishGold(deps: ActivityDeps, input: { date: string }): Promise<PublishGoldResult> {
  const { warehouse: wh } = deps;
  const models = discoverModels('gold');
  const info = activityContext()?.info.workflowExecution;
  const params = { partition_date: input.date };
  const result = await wh.transaction(async (tx): Promise<PublishGoldResult> => {
    if (info?.runId) {
      const [mine] = await tx.query<{ models: string; rows: number }>(
        `select models, rows_published as rows from ops.gold_publications where partition_date = cast($partition_date as date) and run_id = $run`,
        { ...params, run: info.runId },
      );
      if (mine) {
        const published = mine.models ? mine.models.split(',') : [];
        return { published, skipped: models.map((m) => m.name).filter((m) => !published.includes(m)), rows: Number(mine.rows), alreadyPublished: true };
      }
    }
    // Read inside the transaction: a concurrent publish of a later date cannot slip in between.
    const [latest] = await tx.query<{ d: string | null }>(`select cast(max(partition_date) as varchar) as d from ops.gold_publications`);
    const isNewest = !latest?.d || latest.d <= input.date;
    const published: string[] = [];
    const skipped: string[] = [];
    let rows = 0;
    for (const m of models) {
      const staged = stagingTable(m.name, input.date);
      if (m.materialized === 'table' && !isNewest) {
        skipped.push(m.name);
        continue;
      }
      await tx.exec(
        m.materialized === 'table' ? `delete from gold.${m.name}` : `delete from gold.${m.name} where partition_date = cast($partition_date as date)`,
        m.materialized === 'table' ? {} : params,
      );
      await insertByName(tx, wh.dialect, `gold.${m.name}`, `select * from ${staged}`);
      rows += Number((await tx.query<{ n: number }>(`select count(*) as n from ${staged}`))[0].n);
      published.push(m.name);
    }
    await tx.exec(`delete from ops.gold_publications where partition_date = cast($partition_date as date)`, params);
    await tx.exec(`insert into ops.gold_publications values (cast($partition_date as date), $wf, $run, $models, $rows, cast($now as timestamp))`, {
      ...params,
      wf: info?.workflowId ?? null,
      run: info?.runId ?? null,
      models: published.join(','),
      rows,
      now: nowUtc(),
    });
    return { published, skipped, rows };
  });
  try {
    await dropStaging(deps, input.date);
  } catch (err) {
    deps.logger.warn('gold published; dropping its staging tables failed (the next build or discard replaces them)', {
      date: input.date,
      error: (err as Error).message.split('\n')[0],
    });
  }
  return result;
}

/** Removes a partition's staging tables (after publishing, or when checks block it). */
export async function dropStaging(deps: ActivityDeps, date: string): Promise<void> {
  for (const m of discoverModels('gold')) await deps.warehouse.exec(`drop table if exists ${stagingTable(m.name, date)}`);
}
