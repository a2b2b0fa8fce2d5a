import { ApplicationFailure } from '@temporalio/common';
import type { ActivityDeps } from '../../lib/deps';
import { toCsv } from './csv';
import { loadDataset } from './load-dataset';
import { runFolder, type RunFolder } from './run-folder';
import { checkDataset } from './validate-dataset';
import { describeSource, variablesOf, type MmmSource } from './variables';

export interface PrepareDatasetInput {
  runId: string;
  /** Monday of the first week and Sunday of the last week. */
  from: string;
  to: string;
  country: string;
  source: MmmSource;
  minWeeks: number;
  iterations: number;
  trials: number;
  seed: number;
  /** Robyn hyperparameter ranges overriding the runner's defaults, e.g. {"tv_S_thetas": [0.3, 0.8]}. */
  hyperparameters?: Record<string, [number, number]>;
}

export interface PreparedDataset extends RunFolder {
  source: string;
  weeks: number;
  firstWeek: string;
  lastWeek: string;
  paidMediaSpends: string[];
  /** DAG_LAUNCHER, used when the input names no launcher (the workflow cannot read config). */
  configuredLauncher: ActivityDeps['config']['launcher']['kind'];
}

/**
 * Builds the MMM dataset, validates it (one non-retryable `InvalidDataset` failure listing
 * every problem), and snapshots it with the runner's job config under mmm/runs/<runId>/:
 * input.csv, config.json; the runner writes into output/.
 */
export async function prepareMmmDataset(deps: ActivityDeps, input: PrepareDatasetInput): Promise<PreparedDataset> {
  const v = variablesOf(input.source);
  const loaded = await loadDataset(deps, input.source, input);
  const check = checkDataset(loaded.columns, loaded.rows, v, input.minWeeks);
  // A source with nothing to read says why once, instead of "missing columns" and "0 weeks".
  const problems = loaded.rows.length || !loaded.problems.length ? [...loaded.problems, ...check.problems] : loaded.problems;
  if (problems.length) {
    const what = `MMM dataset ${describeSource(input.source)} for ${input.country} ${input.from}..${input.to}`;
    throw ApplicationFailure.nonRetryable(
      `${what} is not usable (${problems.length} problem${problems.length > 1 ? 's' : ''}): ${problems.map((p, i) => `${i + 1}) ${p}`).join('; ')}`,
      'InvalidDataset',
    );
  }
  const folder = runFolder(deps.store, input.runId);
  const config = {
    date_var: v.date,
    dep_var: v.depVar,
    dep_var_type: v.depVarType,
    paid_media_spends: v.paidMediaSpends,
    paid_media_vars: v.paidMediaVars ?? v.paidMediaSpends,
    context_vars: v.contextVars,
    organic_vars: v.organicVars,
    factor_vars: v.factorVars,
    adstock: 'geometric',
    hyperparameters: input.hyperparameters ?? {},
    iterations: input.iterations,
    trials: input.trials,
    seed: input.seed,
    prophet_country: input.country,
  };
  await deps.store.put(folder.inputKey, toCsv(check.columns, check.rows));
  await deps.store.put(folder.configKey, JSON.stringify(config, null, 2));
  const weeks = check.rows.map((r) => String(r[v.date]));
  return {
    ...folder,
    source: describeSource(input.source),
    weeks: weeks.length,
    firstWeek: weeks[0],
    lastWeek: weeks.at(-1)!,
    paidMediaSpends: v.paidMediaSpends,
    configuredLauncher: deps.config.launcher.kind,
  };
}
