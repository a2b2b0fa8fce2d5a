import { ApplicationFailure } from '@temporalio/common';
import { z } from 'zod';
import type { ActivityDeps } from '../../lib/deps';
import { nowUtc } from '../ingest/load-bronze';
import { cancelRequest } from './cancel-request';
import { ensureMmmTables } from './tables';

/** The parts of the runner's model_summary.json (infra/robyn/README.md) this project stores. */
const num = z.number().nullable();
/** Fit per split; a summary written before the runner reported them has none (stored as null). */
export const FIT_METRICS = ['rsq_train', 'rsq_val', 'rsq_test', 'nrmse_train', 'nrmse_val', 'nrmse_test'] as const;
const fitMetrics = z.object(Object.fromEntries(FIT_METRICS.map((m) => [m, num.optional()])) as Record<(typeof FIT_METRICS)[number], z.ZodOptional<typeof num>>);
const summarySchema = z.object({
  status: z.literal('succeeded'),
  robyn: z.object({ package: z.string(), version: z.string() }).passthrough(),
  elapsed_seconds: z.number(),
  selection_nrmse: z.string().optional(),
  definitions: z.record(z.string(), z.string()).optional(),
  candidates: z.array(
    z.object({ solID: z.string(), nrmse: num, decomp_rssd: num, mape: num, pareto_front: z.number().nullable() }).merge(fitMetrics).passthrough(),
  ),
  pareto_models: z.array(z.string()),
  chosen: z
    .object({ solID: z.string(), nrmse: z.number(), decomp_rssd: z.number(), mape: z.number(), selection_rule: z.string() })
    .merge(fitMetrics)
    .passthrough(),
  channels: z.array(
    z
      .object({
        channel: z.string(),
        spend: z.number(),
        effect: z.number(),
        roi: num,
        cpa: num,
        spend_share: num,
        effect_share: num,
        response_share: num.optional(),
      })
      .passthrough(),
  ),
  plots: z.array(z.string()),
});

export type FitMetrics = Partial<Record<(typeof FIT_METRICS)[number], number | null>>;

export interface MmmRunRecord {
  runId: string;
  workflowId: string;
  country: string;
  status: 'succeeded' | 'failed' | 'cancelled' | 'timed_out';
  source: string;
  from: string;
  to: string;
  weeks: number | null;
  iterations: number;
  trials: number;
  launcher: string;
  jobId: string;
  runUri: string;
  message?: string;
  /** A cancelled run: who asked (the requesting client's identity) and when (the server's time). */
  cancelledBy?: string;
  cancelledAt?: string;
}

export interface CollectInput extends Omit<MmmRunRecord, 'status' | 'message'> {
  outputPrefix: string;
}

export interface MmmResult {
  chosenModel: string;
  /** The NRMSE the search and the Pareto fronts used (`selection`: nrmse_val, the validation split's). */
  nrmse: number;
  nrmseSelection: string;
  /** The chosen model's fit on each split. */
  fit: FitMetrics;
  decompRssd: number;
  mape: number;
  candidateModels: number;
  paretoModels: number;
  /** Chosen model's ROI per paid channel (a handful of rows). */
  channels: { channel: string; spend: number; roi: number | null; effectShare: number | null }[];
  /** What effectShare is a share of (the summary's definitions.effect_share). */
  effectShareDenominator: string;
  plotUris: string[];
  summaryUri: string;
  robynVersion: string;
}

/** Reads model_summary.json into mmm.runs and mmm.channel_results (replacing this run's rows). */
export async function collectRobynResults(deps: ActivityDeps, input: CollectInput): Promise<MmmResult> {
  const key = `${input.outputPrefix}model_summary.json`;
  if (!(await deps.store.exists(key))) throw ApplicationFailure.nonRetryable(`the runner succeeded but wrote no ${deps.store.uri(key)}`, 'RobynOutputMissing');
  const parsed = summarySchema.safeParse(JSON.parse((await deps.store.get(key)).toString('utf8')));
  if (!parsed.success)
    throw ApplicationFailure.nonRetryable(
      `${key} is not a runner summary: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
      'RobynOutputInvalid',
    );
  const s = parsed.data;
  const row = { ...input, status: 'succeeded' as const };
  const fit: FitMetrics = Object.fromEntries(FIT_METRICS.map((m) => [m, s.chosen[m] ?? null]));
  // Summaries written before the runner named them had the same meanings (infra/robyn/README.md).
  const nrmseSelection = s.selection_nrmse ?? 'nrmse_val';
  const effectShareDenominator = s.definitions?.effect_share ?? 'total effect of the paid-media channels';
  await writeRun(
    deps,
    row,
    {
      chosen_model: s.chosen.solID,
      nrmse: s.chosen.nrmse,
      decomp_rssd: s.chosen.decomp_rssd,
      mape: s.chosen.mape,
      candidate_models: s.candidates.length,
      pareto_models: s.pareto_models.length,
      robyn_version: `${s.robyn.package} ${s.robyn.version}`,
      elapsed_seconds: s.elapsed_seconds,
      ...fit,
      nrmse_selection: nrmseSelection,
      effect_share_denominator: effectShareDenominator,
    },
    s.channels,
  );
  return {
    chosenModel: s.chosen.solID,
    nrmse: s.chosen.nrmse,
    nrmseSelection,
    fit,
    decompRssd: s.chosen.decomp_rssd,
    mape: s.chosen.mape,
    candidateModels: s.candidates.length,
    paretoModels: s.pareto_models.length,
    channels: s.channels.map((c) => ({ channel: c.channel, spend: c.spend, roi: c.roi, effectShare: c.effect_share })),
    effectShareDenominator,
    plotUris: s.plots.map((p) => deps.store.uri(input.outputPrefix + p)),
    summaryUri: deps.store.uri(key),
    robynVersion: `${s.robyn.package} ${s.robyn.version}`,
  };
}

/** Records a run that did not succeed (failed, cancelled, timed out), with why — a cancelled one with who asked and when. */
export async function recordMmmRun(deps: ActivityDeps, record: MmmRunRecord): Promise<void> {
  if (record.status === 'cancelled' && !record.cancelledBy) {
    const asked = await cancelRequest(record.workflowId, record.runId).catch((err: Error) => {
      deps.logger.warn('could not read who cancelled the run', { error: err.message });
      return undefined;
    });
    if (asked) record = { ...record, cancelledBy: asked.by, cancelledAt: asked.at, message: `cancelled by ${asked.by} at ${asked.at}` };
  }
  await writeRun(deps, record, {}, []);
}

type ModelFields = Partial<
  Record<'chosen_model' | 'robyn_version' | 'nrmse_selection' | 'effect_share_denominator', string> &
    Record<'nrmse' | 'decomp_rssd' | 'mape' | 'candidate_models' | 'pareto_models' | 'elapsed_seconds', number> &
    FitMetrics
>;

/** mmm.runs' columns in insert order (named, so columns added later by ALTER TABLE line up). */
const RUN_COLUMNS = [
  'run_id',
  'workflow_id',
  'country',
  'status',
  'source',
  'period_from',
  'period_to',
  'weeks',
  'iterations',
  'trials',
  'launcher',
  'job_id',
  'run_uri',
  'chosen_model',
  'nrmse',
  'decomp_rssd',
  'mape',
  'candidate_models',
  'pareto_models',
  'robyn_version',
  'elapsed_seconds',
  'message',
  'finished_at',
  ...FIT_METRICS,
  'nrmse_selection',
  'effect_share_denominator',
  'cancelled_by',
  'cancelled_at',
];
const CASTS: Record<string, string> = { period_from: 'date', period_to: 'date', finished_at: 'timestamp', cancelled_at: 'timestamp' };
const RUN_INSERT = `insert into mmm.runs (${RUN_COLUMNS.join(', ')}) values (${RUN_COLUMNS.map((c) => (CASTS[c] ? `cast($${c} as ${CASTS[c]})` : `$${c}`)).join(', ')})`;

async function writeRun(deps: ActivityDeps, r: MmmRunRecord, model: ModelFields, channels: z.infer<typeof summarySchema>['channels']): Promise<void> {
  await ensureMmmTables(deps.warehouse);
  await deps.warehouse.transaction(async (tx) => {
    await tx.exec(`delete from mmm.runs where run_id = $run_id`, { run_id: r.runId });
    await tx.exec(`delete from mmm.channel_results where run_id = $run_id`, { run_id: r.runId });
    await tx.exec(RUN_INSERT, {
      run_id: r.runId,
      workflow_id: r.workflowId,
      country: r.country,
      status: r.status,
      source: r.source,
      period_from: r.from,
      period_to: r.to,
      weeks: r.weeks,
      iterations: r.iterations,
      trials: r.trials,
      launcher: r.launcher,
      job_id: r.jobId,
      run_uri: r.runUri,
      chosen_model: model.chosen_model ?? null,
      nrmse: model.nrmse ?? null,
      decomp_rssd: model.decomp_rssd ?? null,
      mape: model.mape ?? null,
      candidate_models: model.candidate_models ?? null,
      pareto_models: model.pareto_models ?? null,
      robyn_version: model.robyn_version ?? null,
      elapsed_seconds: model.elapsed_seconds ?? null,
      message: r.message?.slice(0, 4000) ?? null,
      finished_at: nowUtc(),
      ...Object.fromEntries(FIT_METRICS.map((m) => [m, model[m] ?? null])),
      nrmse_selection: model.nrmse_selection ?? null,
      effect_share_denominator: model.effect_share_denominator ?? null,
      cancelled_by: r.cancelledBy ?? null,
      cancelled_at: r.cancelledAt ? r.cancelledAt.replace('T', ' ').replace('Z', '') : null,
    });
    for (const c of channels) {
      await tx.exec(
        `insert into mmm.channel_results (run_id, channel, spend, effect, roi, cpa, spend_share, effect_share, response_share)
          values ($run_id, $channel, $spend, $effect, $roi, $cpa, $spend_share, $effect_share, $response_share)`,
        {
          run_id: r.runId,
          channel: c.channel,
          spend: c.spend,
          effect: c.effect,
          roi: c.roi,
          cpa: c.cpa,
          spend_share: c.spend_share,
          effect_share: c.effect_share,
          response_share: c.response_share ?? null,
        },
      );
    }
  });
}
