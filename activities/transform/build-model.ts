import type { Params, Session } from '../../adapters/warehouse/warehouse';
import type { ActivityDeps } from '../../lib/deps';
import { compactDate } from '../../lib/dates';
import { withHeartbeat } from '../../lib/heartbeat';
import { ApplicationFailure } from '@temporalio/common';
import { discoverModels, type Layer } from '../../lib/sql/models';
import { renderSqlFile } from '../../lib/sql/render';
import { insertByName } from '../../lib/schema-evolution';

export interface BuildModelInput {
  date: string;
  layer: Layer;
  model: string;
}

export interface BuildModelResult {
  model: string;
  table: string;
  rows: number;
  durationMs: number;
}

/** Gold is built beside the published tables, one staging table per model and partition. */
export const stagingTable = (model: string, date: string) => `staging.${model}__${compactDate(date)}`;

/** Bound parameters a model may use; only those its SQL mentions are passed. */
export function modelParams(deps: ActivityDeps, sql: string, date: string): Params {
  const all: Params = {
    partition_date: date,
    session_gap_minutes: deps.config.pipeline.sessionGapMinutes,
    // The default per-source threshold of the quarantine_rate check.
    max_quarantine_rate: deps.config.quality.quarantineErrorRate,
  };
  return Object.fromEntries(Object.entries(all).filter(([k]) => new RegExp(`\\$${k}\\b`).test(sql)));
}

/**
 * Builds one model for one partition. Silver writes its table directly (replacing the
 * partition's rows in one transaction, or the whole table for `table` models); gold writes a
 * staging table that `publishGold` swaps in after the checks pass.
 */
export async function buildModel(deps: ActivityDeps, input: BuildModelInput): Promise<BuildModelResult> {
  const started = Date.now();
  const { warehouse: wh } = deps;
  // Model names become file paths and table names: only the layer's own models (allow-list).
  const model = discoverModels(input.layer).find((m) => m.name === input.model);
  if (!model) throw ApplicationFailure.nonRetryable(`unknown ${input.layer} model ${JSON.stringify(input.model)}`, 'InvalidInput');
  const select = renderSqlFile(model.file, wh.dialect);
  const params = modelParams(deps, select, input.date);
  const count = async (s: Session, table: string, where = '') =>
    Number((await s.query<{ n: number }>(`select count(*) as n from ${table}${where}`, where ? { partition_date: input.date } : {}))[0].n);

  const rows = await withHeartbeat(
    async () => {
      if (input.layer === 'gold') {
        const table = stagingTable(model.name, input.date);
        await wh.exec(`create or replace table ${table} as ${select}`, params);
        // The published table exists from the first build on, so checks can compare against it.
        await wh.exec(`create table if not exists gold.${model.name} as select * from ${table} limit 0`);
        return { table, rows: await count(wh, table) };
      }
      const table = `silver.${model.name}`;
      if (model.materialized === 'table') {
        await wh.exec(`create or replace table ${table} as ${select}`, params);
        return { table, rows: await count(wh, table) };
      }
      // DDL first and outside the transaction (Snowflake commits on DDL).
      await wh.exec(`create table if not exists ${table} as select * from (${select}) as model limit 0`, params);
      return wh.transaction(async (tx) => {
        await tx.exec(`delete from ${table} where partition_date = cast($partition_date as date)`, { partition_date: input.date });
        // By name, so a column added to the model (and to the table at worker start) lands in its own column.
        await insertByName(tx, wh.dialect, table, select, params);
        return { table, rows: await count(tx, table, ' where partition_date = cast($partition_date as date)') };
      });
    },
    () => ({ model: `${input.layer}.${input.model}`, date: input.date }),
  );
  return { model: `${input.layer}.${input.model}`, ...rows, durationMs: Date.now() - started };
}
