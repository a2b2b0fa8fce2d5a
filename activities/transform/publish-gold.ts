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
}

/**
 * Swaps a partition's staged gold into `gold` atomically: every model's rows are replaced in ONE
 * transaction together with the ops.gold_publications row, so readers see yesterday's gold or
 * today's, never a mix. Whole-table marts (RFM, monthly revenue) are only replaced when this
 * partition is the newest one published, so a backfill of an old date cannot roll them back.
 */
export async function publishGold(deps: ActivityDeps, input: { date: string }): Promise<PublishGoldResult> {
  const { warehouse: wh } = deps;
  const models = discoverModels('gold');
  const [latest] = await wh.query<{ d: string | null }>(`select cast(max(partition_date) as varchar) as d from ops.gold_publications`);
  const isNewest = !latest?.d || latest.d <= input.date;
  const info = activityContext()?.info.workflowExecution;
  const params = { partition_date: input.date };
  const result = await wh.transaction(async (tx) => {
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
  await dropStaging(deps, input.date);
  return result;
}

/** Removes a partition's staging tables (after publishing, or when checks block it). */
export async function dropStaging(deps: ActivityDeps, date: string): Promise<void> {
  for (const m of discoverModels('gold')) await deps.warehouse.exec(`drop table if exists ${stagingTable(m.name, date)}`);
}
