import { ApplicationFailure } from '@temporalio/common';
import type { Params, Warehouse } from '../../adapters/warehouse/warehouse';
import type { ActivityDeps } from '../../lib/deps';
import { dateRange } from '../../lib/dates';
import { withHeartbeat } from '../../lib/heartbeat';
import { renderSqlFile, statements } from '../../lib/sql/render';
import type { AttributionModel } from './models';
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
  const range: Params = { from_date: input.from, to_date: input.to, window_days: input.windowDays };
  const models = `,${input.models.join(',')},`;
  let phase = 'staging credits';
  return withHeartbeat(
    async () => {
      await ensureAttributionTables(wh);
      const credits = renderSqlFile('attribution/attribution_credits.sql', wh.dialect);
      await wh.exec(`create or replace table ${staged.credits} as ${credits}`, {
        ...range,
        half_life_days: input.halfLifeDays,
        first_weight: input.firstWeight,
        last_weight: input.lastWeight,
      });
      const summary = renderSqlFile('attribution/attribution_window_summary.sql', wh.dialect);
      await wh.exec(`create or replace table ${staged.summary} as ${summary}`, range);

      phase = 'checking invariants';
      const totals = await verifyStagedAttribution(wh, staged);
      if (totals.problems.length) {
        throw ApplicationFailure.nonRetryable(
          `attribution ${input.from}..${input.to} (window ${input.windowDays}d) not written: ${totals.problems.join('; ')}`,
          'AttributionInvariantViolated',
        );
      }

      phase = 'replacing gold rows';
      const attribution = renderSqlFile('attribution/attribution.sql', wh.dialect, vars);
      const rows = await wh.transaction(async (tx) => {
        const where = `conversion_date between cast($from_date as date) and cast($to_date as date) and window_days = cast($window_days as integer)`;
        await tx.exec(`delete from gold.attribution where ${where} and position(',' || model || ',' in $models) > 0`, { ...range, models });
        await tx.exec(`insert into gold.attribution select * from (${attribution}) as a`, { window_days: input.windowDays, models });
        await tx.exec(`delete from gold.attribution_window_summary where ${where}`, range);
        await tx.exec(`insert into gold.attribution_window_summary select * from ${staged.summary}`);
        const count = async (table: string, extra = '') =>
          Number((await tx.query<{ n: number }>(`select count(*) as n from ${table} where ${where}${extra}`, extra ? { ...range, models } : range))[0].n);
        return {
          attribution: await count('gold.attribution', ` and position(',' || model || ',' in $models) > 0`),
          summary: await count('gold.attribution_window_summary'),
        };
      });
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

async function unpublishedDates(wh: Warehouse, from: string, to: string): Promise<string[]> {
  const published = await wh.query<{ d: string }>(
    `select distinct cast(partition_date as varchar) as d from ops.gold_publications where partition_date between cast($from as date) and cast($to as date)`,
    { from, to },
  );
  const have = new Set(published.map((r) => r.d));
  return dateRange(from, to).filter((d) => !have.has(d));
}
