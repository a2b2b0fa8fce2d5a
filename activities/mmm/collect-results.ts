import { ApplicationFailure } from '@temporalio/common';
import { z } from 'zod';
import type { ActivityDeps } from '../../lib/deps';
import { nowUtc } from '../ingest/load-bronze';
import { ensureMmmTables } from './tables';

/** The parts of the runner's model_summary.json (infra/robyn/README.md) this project stores. */
const num = z.number().nullable();
const summarySchema = z.object({
  status: z.literal('succeeded'),
  robyn: z.object({ package: z.string(), version: z.string() }).passthrough(),
  elapsed_seconds: z.number(),
  candidates: z.array(z.object({ solID: z.string(), nrmse: num, decomp_rssd: num, mape: num, pareto_front: z.number().nullable() }).passthrough()),
  pareto_models: z.array(z.string()),
  chosen: z.object({ solID: z.string(), nrmse: z.number(), decomp_rssd: z.number(), mape: z.number(), selection_rule: z.string() }).passthrough(),
  channels: z.array(
    z.object({ channel: z.string(), spend: z.number(), effect: z.number(), roi: num, cpa: num, spend_share: num, effect_share: num }).passthrough(),
  ),
  plots: z.array(z.string()),
});

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
}

export interface CollectInput extends Omit<MmmRunRecord, 'status' | 'message'> {
  outputPrefix: string;
}

export interface MmmResult {
  chosenModel: string;
  nrmse: number;
  decompRssd: number;
  mape: number;
  candidateModels: number;
  paretoModels: number;
  /** Chosen model's ROI per paid channel (a handful of rows). */
  channels: { channel: string; spend: number; roi: number | null; effectShare: number | null }[];
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
    },
    s.channels,
  );
  return {
    chosenModel: s.chosen.solID,
    nrmse: s.chosen.nrmse,
    decompRssd: s.chosen.decomp_rssd,
    mape: s.chosen.mape,
    candidateModels: s.candidates.length,
    paretoModels: s.pareto_models.length,
    channels: s.channels.map((c) => ({ channel: c.channel, spend: c.spend, roi: c.roi, effectShare: c.effect_share })),
    plotUris: s.plots.map((p) => deps.store.uri(input.outputPrefix + p)),
    summaryUri: deps.store.uri(key),
    robynVersion: `${s.robyn.package} ${s.robyn.version}`,
  };
}

/** Records a run that did not succeed (failed, cancelled, timed out), with why. */
export async function recordMmmRun(deps: ActivityDeps, record: MmmRunRecord): Promise<void> {
  await writeRun(deps, record, {}, []);
}

type ModelFields = Partial<
  Record<'chosen_model' | 'robyn_version', string> & Record<'nrmse' | 'decomp_rssd' | 'mape' | 'candidate_models' | 'pareto_models' | 'elapsed_seconds', number>
>;

async function writeRun(deps: ActivityDeps, r: MmmRunRecord, model: ModelFields, channels: z.infer<typeof summarySchema>['channels']): Promise<void> {
  await ensureMmmTables(deps.warehouse);
  await deps.warehouse.transaction(async (tx) => {
    await tx.exec(`delete from mmm.runs where run_id = $run_id`, { run_id: r.runId });
    await tx.exec(`delete from mmm.channel_results where run_id = $run_id`, { run_id: r.runId });
    await tx.exec(
      `insert into mmm.runs values ($run_id, $workflow_id, $country, $status, $source, cast($from as date), cast($to as date), $weeks, $iterations, $trials,
        $launcher, $job_id, $run_uri, $chosen_model, $nrmse, $decomp_rssd, $mape, $candidate_models, $pareto_models, $robyn_version, $elapsed_seconds,
        $message, cast($now as timestamp))`,
      {
        run_id: r.runId,
        workflow_id: r.workflowId,
        country: r.country,
        status: r.status,
        source: r.source,
        from: r.from,
        to: r.to,
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
        now: nowUtc(),
      },
    );
    for (const c of channels) {
      await tx.exec(`insert into mmm.channel_results values ($run_id, $channel, $spend, $effect, $roi, $cpa, $spend_share, $effect_share)`, {
        run_id: r.runId,
        channel: c.channel,
        spend: c.spend,
        effect: c.effect,
        roi: c.roi,
        cpa: c.cpa,
        spend_share: c.spend_share,
        effect_share: c.effect_share,
      });
    }
  });
}
