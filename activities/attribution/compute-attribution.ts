import { ApplicationFailure } from '@temporalio/common';
import type { Params, Warehouse } from '../../adapters/warehouse/warehouse';
import type { ActivityDeps } from '../../lib/deps';
import { dateRange } from '../../lib/dates';
import { withHeartbeat } from '../../lib/heartbeat';
import { renderSqlFile, statements } from '../../lib/sql/render';
import type { AttributionModel } from './models';
import { exclusive } from '../../lib/exclusive';
import { nowUtc } from '../ingest/load-bronze';
import { PUBLICATION_LOCK } from '../transform/publish-gold';
import { attributionStaging } from './staging';
import { verifyStagedAttribution } from './verify';

export interface ComputeAttributionInput {
  from: string;
  to: string;
  windowDays: number;
  models: AttributionModel[];
  halfLifeDays: number;
  firstWeight: number;
  lastWeight: number;
}

export interface ComputeAttributionResult {
  from: string;
  to: string;
  windowDays: number;
  conversions: number;
  attributed: number;
  outOfWindow: number;
  /** Touch rows (conversion × session in the window, plus one per unattributed conversion). */
  touches: number;
  rows: { attribution: number; summary: number };
  /** Conversion days in the range with no published gold partition (their silver was not gated). */
  unpublishedDates: string[];
  durationMs: number;
}

export async function ensureAttributionTables(wh: Warehouse): Promise<void> {
  for (const stmt of statements(renderSqlFile('attribution/attribution_tables.sql', wh.dialect))) await wh.exec(stmt);
}

/**
 * Computes every model for one lookback window over [from, to]: credits are staged, checked
 * (exact totals per conversion, reconciliation with the window summary), and only then swapped
 * into gold.attribution and gold.attribution_window_summary in one transaction that replaces
 * the range's rows for this window (and these models). Re-running replaces, never appends.
 */
export async function computeAttribution(deps: ActivityDeps, input: ComputeAttributionInput): Promise<ComputeAttributionResult> {
  const started = Date.now();
  const wh = deps.warehouse;
  const staged = attributionStaging(input.from, input.to, input.windowDays);
  const vars = { credits: staged.credits };
  const range: Params = { from_date: input.from, to_date: input.to, window_days: input.windowDays, late_lookback_days: deps.config.lateData.lookbackDays };
  const models = `,${input.models.join(',')},`;
  // The run's settings are part of its rows: another half-life or weighting writes beside them.
  const settings: Params = {
    half_life_days: input.halfLifeDays,
    first_weight: input.firstWeight,
    last_weight: input.lastWeight,
    reporting_currency: deps.config.lateData.reportingCurrency,
  };
  const sameSettings = `((half_life_days = $half_life_days and first_weight = $first_weight and last_weight = $last_weight) or half_life_days is null)`;
  let phase = 'staging credits';
  return withHeartbeat(
    async () => {
      await ensureAttributionTables(wh);
      const credits = renderSqlFile('attribution/attribution_credits.sql', wh.dialect);
      const summary = renderSqlFile('attribution/attribution_window_summary.sql', wh.dialect);
      const attribution = renderSqlFile('attribution/attribution.sql', wh.dialect, vars);
      const all: Params = { ...range, models, ...settings };
      // Snowflake commits on DDL: its staging tables are created (empty) before the transaction and
      // filled inside it. DuckDB's DDL is transactional, so it stages in one statement inside.
      const transactionalDdl = wh.dialect === 'duckdb';
      if (!transactionalDdl) {
        await wh.exec(`create or replace table ${staged.credits} as select * from (${credits}) as c limit 0`, usedParams(credits, all));
        await wh.exec(`create or replace table ${staged.summary} as select * from (${summary}) as s limit 0`, usedParams(summary, all));
      }
      // One transaction reads silver, checks and replaces gold, queued behind the publication lock:
      // two runs over overlapping dates (a late order re-attributing yesterday while yesterday's own
      // nightly runs) never commit what they read before the other committed.
      const written = await exclusive(wh, PUBLICATION_LOCK, () =>
        wh.transaction(async (tx) => {
          const exec = (sql: string) => tx.exec(sql, usedParams(sql, all));
          const count = async (sql: string) => Number((await tx.query<{ n: number }>(sql, usedParams(sql, all)))[0].n);
          await tx.exec(`update ops.publication_lock set locked_at = cast($now as timestamp)`, { now: nowUtc() });
          for (const [table, sql] of [
            [staged.credits, credits],
            [staged.summary, summary],
          ])
            await exec(transactionalDdl ? `create or replace table ${table} as ${sql}` : `insert into ${table} select * from (${sql}) as q`);

          phase = 'checking invariants';
          const totals = await verifyStagedAttribution(tx, staged, wh.dialect);
          if (totals.problems.length) {
            throw ApplicationFailure.nonRetryable(
              `attribution ${input.from}..${input.to} (window ${input.windowDays}d) not written: ${totals.problems.join('; ')}`,
              'AttributionInvariantViolated',
            );
          }

          phase = 'replacing gold rows';
          const where = `conversion_date between cast($from_date as date) and cast($to_date as date) and window_days = cast($window_days as integer)`;
          const ours = `${where} and position(',' || model || ',' in $models) > 0 and ${sameSettings}`;
          await exec(`delete from gold.attribution where ${ours}`);
          await exec(`insert into gold.attribution select * from (${attribution}) as a`);
          await exec(`delete from gold.attribution_window_summary where ${where}`);
          await exec(`insert into gold.attribution_window_summary select * from ${staged.summary}`);
          return {
            totals,
            rows: {
              attribution: await count(`select count(*) as n from gold.attribution where ${ours}`),
              summary: await count(`select count(*) as n from gold.attribution_window_summary where ${where}`),
            },
          };
        }),
      );
      const { totals, rows } = written;
      for (const table of Object.values(staged)) await wh.exec(`drop table if exists ${table}`);

      return {
        from: input.from,
        to: input.to,
        windowDays: input.windowDays,
        conversions: totals.conversions,
        attributed: totals.attributed,
        outOfWindow: totals.conversions - totals.attributed,
        touches: totals.touches,
        rows,
        unpublishedDates: await unpublishedDates(wh, input.from, input.to),
        durationMs: Date.now() - started,
      };
    },
    () => ({ range: `${input.from}..${input.to}`, windowDays: input.windowDays, phase }),
  );
}

/** Only the parameters a statement mentions (the warehouses refuse unused ones). */
function usedParams(sql: string, params: Params): Params {
  return Object.fromEntries(Object.entries(params).filter(([k]) => new RegExp(`\\$${k}\\b`).test(sql)));
}

async function unpublishedDates(wh: Warehouse, from: string, to: string): Promise<string[]> {
  const published = await wh.query<{ d: string }>(
    `select distinct cast(partition_date as varchar) as d from ops.gold_publications where partition_date between cast($from as date) and cast($to as date)`,
    { from, to },
  );
  const have = new Set(published.map((r) => r.d));
  return dateRange(from, to).filter((d) => !have.has(d));
}
