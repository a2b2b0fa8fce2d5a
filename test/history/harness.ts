import fc from 'fast-check';
import { addDays } from '../../lib/dates';
import type { CheckName } from './invariants';
import { HistoryRunner, formatReport, type HistoryReport } from './run-history';
import { historyArbitrary, type Step, type StepWeights } from './steps';
import type { HistoryEnv } from './system';

/**
 * Generates seeded random histories (fast-check), runs them, and shrinks a failing one to a
 * minimal reproduction. History i uses seed `seed + i` and its own dates, so histories run side
 * by side on one Temporal server (workflow ids are per date) and any one of them replays alone:
 * `npm run soak -- --seed <seed + i> --histories 1`.
 */
export interface HistoryPlan extends StepWeights {
  seed: number;
  histories: number;
  minSteps: number;
  maxSteps: number;
  days: number;
  concurrency: number;
  /** First date of history 0; history i starts `i * (days + 1)` days later. */
  firstDate: string;
  checks?: ReadonlySet<CheckName>;
  /** Histories with kill steps: every n-th (0 = none). Kill steps hand the data dir to a child-process worker. */
  killEvery: number;
  log?: (line: string) => void;
}

export interface HistoryFailure {
  index: number;
  seed: number;
  firstDate: string;
  steps: Step[];
  report: HistoryReport;
}

export function firstDateOf(plan: Pick<HistoryPlan, 'firstDate' | 'days'>, index: number): string {
  return addDays(plan.firstDate, index * (plan.days + 1));
}

export function arbitraryFor(plan: HistoryPlan, index: number): fc.Arbitrary<Step[]> {
  // Chosen by seed, not position, so `--seed <seed + i> --histories 1` replays history i exactly.
  const kill = plan.killEvery > 0 && (plan.seed + index) % plan.killEvery === plan.killEvery - 1 ? plan.kill : 0;
  return historyArbitrary({ days: plan.days, minSteps: plan.minSteps, maxSteps: plan.maxSteps, kill, killRetry: plan.killRetry, cleaning: plan.cleaning });
}

/** The steps history `index` of a plan runs (fast-check's first value for its seed). */
export function stepsOf(plan: HistoryPlan, index: number): Step[] {
  return fc.sample(arbitraryFor(plan, index), { seed: plan.seed + index, numRuns: 1 })[0];
}

/** Runs every history of the plan, `concurrency` at a time; returns the failures (not shrunk). */
export async function runPlan(envs: HistoryEnv[], plan: HistoryPlan): Promise<{ failures: HistoryFailure[]; runs: number; reports: HistoryReport[] }> {
  const failures: HistoryFailure[] = [];
  const reports: HistoryReport[] = [];
  let next = 0;
  let runs = 0;
  const lane = async (env: HistoryEnv) => {
    const runner = new HistoryRunner(env);
    try {
      for (let index = next++; index < plan.histories; index = next++) {
        const steps = stepsOf(plan, index);
        const firstDate = firstDateOf(plan, index);
        const report = await runner.run(steps, { firstDate, days: plan.days, checks: plan.checks });
        reports.push(report);
        runs += report.runs;
        plan.log?.(
          `history ${index} (seed ${plan.seed + index}): ${report.ok ? 'ok' : 'FAILED'} — ${report.log.length} steps, ${report.runs} runs${report.accepted ? `, ${report.accepted} cleaning plan(s) accepted` : ''}, ${(report.durationMs / 1000).toFixed(1)} s (runs ${(report.timings.runs / 1000).toFixed(1)} s, rebuilds ${(report.timings.rebuilds / 1000).toFixed(1)} s, checks ${(report.timings.checks / 1000).toFixed(1)} s)`,
        );
        if (!report.ok) failures.push({ index, seed: plan.seed + index, firstDate, steps, report });
      }
    } finally {
      await runner.close();
    }
  };
  await Promise.all(Array.from({ length: Math.min(plan.concurrency, plan.histories) }, (_, i) => lane(envs[i % envs.length])));
  return { failures: failures.sort((a, b) => a.index - b.index), runs, reports };
}

/**
 * Shrinks a failing history to a minimal one that fails the same check: delta debugging over
 * its steps (drop halves, then quarters, … then single steps, keeping every removal after which
 * the history still fails). Steps refer to dates and objects by index (steps.ts), so any
 * subsequence is a valid history. Every candidate is a real run, so the search is bounded by
 * `budget` runs; the smallest failure found by then is the reproduction.
 */
export async function shrink(
  env: HistoryEnv,
  plan: HistoryPlan,
  failure: HistoryFailure,
  budget: number,
): Promise<{ steps: Step[]; report: HistoryReport; tried: number }> {
  const runner = new HistoryRunner(env);
  const check = failure.report.violations[0]?.check;
  let best = { steps: failure.steps, report: failure.report };
  let tried = 0;
  try {
    for (let chunk = Math.ceil(best.steps.length / 2); chunk >= 1 && tried < budget; chunk = chunk === 1 ? 0 : Math.ceil(chunk / 2)) {
      for (let i = 0; i < best.steps.length && tried < budget;) {
        const candidate = [...best.steps.slice(0, i), ...best.steps.slice(i + chunk)];
        tried++;
        const report = await runner.run(candidate, { firstDate: failure.firstDate, days: plan.days, checks: plan.checks });
        const same = !report.ok && report.violations.some((v) => v.check === check);
        plan.log?.(`  shrink #${tried}: ${candidate.length} steps ${same ? 'still fail' : 'pass'}`);
        if (same) best = { steps: candidate, report };
        else i += chunk;
      }
    }
  } finally {
    await runner.close();
  }
  return { ...best, tried };
}

/** The soak command that replays one history of a plan. */
export function replayCommand(plan: HistoryPlan, seed: number): string {
  return `npm run soak -- --histories 1 --seed ${seed} --days ${plan.days} --steps ${plan.minSteps}..${plan.maxSteps} --kill-every ${plan.killEvery}${plan.killRetry ? ' --kill-retry' : ''}${plan.cleaning ? ` --cleaning ${plan.cleaning}` : ''}`;
}

export function describeFailure(f: Pick<HistoryFailure, 'seed' | 'firstDate' | 'report'>, plan?: HistoryPlan): string {
  return formatReport(f.report, `history with seed ${f.seed} (dates from ${f.firstDate}) failed${plan ? ` — replay: ${replayCommand(plan, f.seed)}` : ''}:`);
}
