import type { ActivityDeps } from '../../lib/deps';
import { renderSql } from '../../lib/sql/render';
import type { CheckResult } from '../quality/checks';
import { modelParams } from '../transform/build-model';
import { flagDefinitions } from '../../cleaning/flags';
import { maskRow } from '../../cleaning/masking';
import type { CheckProfile, CleaningProfile } from '../../cleaning/types';
import { realColumns, silverTables } from './tables';

export const SAMPLE_ROWS = 5;

export interface ProfileInput {
  date: string;
  stage: 'silver' | 'gold';
  /** The failing checks' results (small: one row per check). */
  failing: CheckResult[];
}

/**
 * For each failing check: counts and a bounded, masked sample of the rows it flags. This is the
 * only data a planner or judge model ever sees.
 */
export async function profileFailingChecks(deps: ActivityDeps, input: ProfileInput): Promise<CleaningProfile> {
  const wh = deps.warehouse;
  const tables = silverTables();
  const flags = flagDefinitions();
  const checks: CheckProfile[] = [];
  for (const r of input.failing) {
    const base: CheckProfile = { check: r.check, observed: r.observed, threshold: r.threshold, sample: r.sample };
    const flag = flags[r.check];
    if (!flag) {
      checks.push(base);
      continue;
    }
    const where = `t.partition_date = cast($partition_date as date) and (${flag.predicate})`;
    const query = <T>(sql: string) => {
      const rendered = renderSql(sql, wh.dialect, { ...tables });
      return wh.query<T & Record<string, unknown>>(rendered, modelParams(deps, rendered, input.date));
    };
    const [counts] = await query<{ flagged: number; total: number }>(
      `select coalesce(sum(case when (${flag.predicate}) then 1 else 0 end), 0) as flagged, count(*) as total from ${tables[flag.table]} as t where t.partition_date = cast($partition_date as date)`,
    );
    const rows = await query(`select * from ${tables[flag.table]} as t where ${where} order by 1 limit ${SAMPLE_ROWS}`);
    checks.push({ ...base, table: flag.table, flaggedRows: Number(counts.flagged), tableRows: Number(counts.total), rows: rows.map(maskRow) });
  }
  return { date: input.date, stage: input.stage, failedChecks: input.failing.map((r) => r.check), checks, columns: await realColumns(wh, tables) };
}
