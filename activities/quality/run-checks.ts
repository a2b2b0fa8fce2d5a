import type { ActivityDeps } from '../../lib/deps';
import { activityContext } from '../../lib/heartbeat';
import { discoverModels } from '../../lib/sql/models';
import { renderSqlFile } from '../../lib/sql/render';
import { stagingTable, modelParams } from '../transform/build-model';
import { nowUtc } from '../ingest/load-bronze';
import { discoverChecks, evaluate, type CheckDefinition, type CheckResult } from './checks';

export interface RunChecksInput {
  date: string;
  stage: 'silver' | 'gold';
  /** Tag for ops.dq_results; defaults to the calling workflow's run id. */
  runId?: string;
  /**
   * Checks this run evaluates as warnings. files_failed here means the run accepts partial data
   * (NightlyPipeline `acceptPartial`): the day's unreadable objects are then recorded as accepted
   * at their bytes (sql/ops/accept_partial.sql), so later runs of the day honour the decision.
   */
  warnOnly?: string[];
}

export interface ChecksOutcome {
  stage: 'silver' | 'gold';
  passed: boolean;
  /** Blocking checks that failed: the partition must not be published. */
  failed: string[];
  warnings: string[];
  results: CheckResult[];
}

/** The checks of a stage with configuration applied (DAG_CHECKS). */
export function configuredChecks(deps: ActivityDeps, stage: 'silver' | 'gold'): CheckDefinition[] {
  const overrides = deps.config.quality.checks;
  return discoverChecks()
    .filter((c) => c.stage === stage && overrides[c.name]?.enabled !== false)
    .map((c) => ({
      ...c,
      // quarantine_rate judges each source against its own threshold (contract, else DAG_MAX_QUARANTINE_RATE) in its SQL.
      threshold: overrides[c.name]?.threshold ?? c.threshold,
      severity: overrides[c.name]?.severity ?? c.severity,
    }));
}

/**
 * Evaluates a stage's checks for a partition (gold checks read the partition's staging tables),
 * records every result in ops.dq_results, and reports which blocking checks failed.
 */
export async function runChecks(deps: ActivityDeps, input: RunChecksInput): Promise<ChecksOutcome> {
  const { warehouse: wh } = deps;
  const runId = input.runId ?? activityContext()?.info.workflowExecution?.runId ?? 'manual';
  const vars = Object.fromEntries(discoverModels('gold').map((m) => [m.name, stagingTable(m.name, input.date)]));
  const checks = configuredChecks(deps, input.stage).map((c) => (input.warnOnly?.includes(c.name) ? { ...c, severity: 'warning' as const } : c));
  const results: (CheckResult & { description: string })[] = [];
  for (const def of checks) {
    const sql = renderSqlFile(def.file, wh.dialect, vars);
    const [row] = await wh.query<{ observed: number | null; sample: string | null }>(sql, modelParams(deps, sql, input.date));
    const observed = row?.observed === null || row?.observed === undefined ? null : Number(row.observed);
    results.push({
      check: def.name,
      severity: def.severity,
      status: evaluate(def, observed),
      observed,
      threshold: def.threshold,
      sample: row?.sample ?? null,
      description: def.description,
    });
  }
  const acceptsPartial = input.stage === 'silver' && !!input.warnOnly?.includes('files_failed');
  await wh.transaction(async (tx) => {
    // After evaluating, so the accepting run itself still warns about what it publishes without.
    if (acceptsPartial) await tx.exec(renderSqlFile('ops/accept_partial.sql', wh.dialect), { partition_date: input.date, run_id: runId, now: nowUtc() });
    await tx.exec(`delete from ops.dq_results where run_id = $run and stage = $stage and partition_date = cast($d as date)`, {
      run: runId,
      stage: input.stage,
      d: input.date,
    });
    for (const r of results) {
      await tx.exec(
        `insert into ops.dq_results values ($run, cast($d as date), $stage, $check, $severity, $observed, $threshold, $status, $sample, $description, cast($now as timestamp))`,
        {
          run: runId,
          d: input.date,
          stage: input.stage,
          check: r.check,
          severity: r.severity,
          observed: r.observed,
          threshold: r.threshold,
          status: r.status,
          sample: r.sample,
          description: r.description,
          now: nowUtc(),
        },
      );
    }
  });
  const failed = results.filter((r) => r.status === 'fail').map((r) => r.check);
  return {
    stage: input.stage,
    passed: failed.length === 0,
    failed,
    warnings: results.filter((r) => r.status === 'warn').map((r) => r.check),
    results: results.map(({ description: _d, ...r }) => r),
  };
}
