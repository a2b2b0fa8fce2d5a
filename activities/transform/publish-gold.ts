import type { ActivityDeps } from '../../lib/deps';
import { activityContext } from '../../lib/heartbeat';
import { discoverModels, type Model } from '../../lib/sql/models';
import type { Session } from '../../adapters/warehouse/warehouse';
import { nowUtc } from '../ingest/load-bronze';
import { modelParams, stagingTable } from './build-model';
import { renderSqlFile } from '../../lib/sql/render';
import { compactDate } from '../../lib/dates';
import { serialized } from '../../lib/exclusive';
import { insertByName } from '../../lib/schema-evolution';

/** Gold publications and attribution writes queue on this (lib/exclusive.ts). */
export const PUBLICATION_LOCK = 'gold-publication';

export interface PublishGoldResult {
  published: string[];
  /** Whole-table marts kept as of the later partition already published (rebuilt as of it, not of this one). */
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
 * today's, never a mix. Whole-table marts (RFM, monthly revenue) are published from staging only
 * when this partition is the newest one; an older partition rebuilds them as of the newest date, so
 * a backfill of an old date cannot roll them back and its corrections still show.
 *
 * Safe to retry after it committed: the transaction first looks for this workflow run's own row in
 * the publication ledger and, when it is there, reports that publication instead of reading the
 * staging tables (already dropped by then). Dropping the staging tables is a separate step after
 * the commit; a failure there is logged and left to the next build or discard.
 */
export async function publishGold(deps: ActivityDeps, input: { date: string }): Promise<PublishGoldResult> {
  // The newest-only guard is read inside the transaction, which begins only after any other
  // publication committed (queued in the worker, lib/exclusive.ts; on Snowflake the lock row makes
  // it wait): two lanes can never both believe they are the newest.
  const wh = serialized(deps.warehouse, PUBLICATION_LOCK);
  compactDate(input.date); // only a YYYY-MM-DD date reaches the lock row and the staging names
  const models = discoverModels('gold');
  const info = activityContext()?.info.workflowExecution;
  const params = { partition_date: input.date };
  const result = await wh.transaction(async (tx): Promise<PublishGoldResult> => {
    await tx.exec(`update ops.publication_lock set last_partition_date = cast($partition_date as date), locked_at = cast($now as timestamp)`, {
      ...params,
      now: nowUtc(),
    });
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
    const [latest] = await tx.query<{ d: string | null }>(`select cast(max(partition_date) as varchar) as d from ops.gold_publications`);
    const isNewest = !latest?.d || latest.d <= input.date;
    const published: string[] = [];
    const skipped: string[] = [];
    let rows = 0;
    for (const m of models) {
      const staged = stagingTable(m.name, input.date);
      if (m.materialized === 'table' && !isNewest) {
        // Never rolled back to this older date, but rebuilt as of the newest published one from
        // today's silver, so a corrected old day shows in it (a from-scratch rebuild would show it).
        await rebuildMart(deps, tx, m, latest!.d!);
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

/** A whole-table mart rebuilt from current silver as of `asOf` (the newest published date), inside `tx`. */
async function rebuildMart(deps: ActivityDeps, tx: Session, m: Model, asOf: string): Promise<void> {
  const sql = renderSqlFile(m.file, deps.warehouse.dialect);
  await tx.exec(`delete from gold.${m.name}`);
  await insertByName(tx, deps.warehouse.dialect, `gold.${m.name}`, sql, modelParams(deps, sql, asOf));
}

/**
 * The whole-table marts rebuilt as of the newest published date from current silver, queued like
 * a publication: after a blocked run changed its day's silver (they read every partition's), as an
 * older partition's publication does. Nothing when nothing was published yet.
 */
export async function refreshWholeTableMarts(deps: ActivityDeps, input: { date: string }): Promise<string[]> {
  const wh = serialized(deps.warehouse, PUBLICATION_LOCK);
  compactDate(input.date);
  const marts = discoverModels('gold').filter((m) => m.materialized === 'table');
  return wh.transaction(async (tx) => {
    await tx.exec(`update ops.publication_lock set last_partition_date = cast($partition_date as date), locked_at = cast($now as timestamp)`, {
      partition_date: input.date,
      now: nowUtc(),
    });
    const [latest] = await tx.query<{ d: string | null }>(`select cast(max(partition_date) as varchar) as d from ops.gold_publications`);
    if (!latest?.d) return [];
    for (const m of marts) await rebuildMart(deps, tx, m, latest.d);
    return marts.map((m) => m.name);
  });
}

/** Removes a partition's staging tables (after publishing, or when checks block it). */
export async function dropStaging(deps: ActivityDeps, date: string): Promise<void> {
  for (const m of discoverModels('gold')) await deps.warehouse.exec(`drop table if exists ${stagingTable(m.name, date)}`);
}
