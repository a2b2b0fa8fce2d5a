import {
  ActivityCancellationType,
  type ActivityOptions,
  ApplicationFailure,
  CancellationScope,
  executeChild,
  isCancellation,
  patched,
  proxyActivities,
  setCurrentDetails,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import { z } from 'zod';
import type { MmmActivities } from '../activities/mmm';
import type { MmmResult, MmmRunRecord } from '../activities/mmm/collect-results';
import { describeSource, hyperparameterProblems, mmmSource, variablesOf } from '../activities/mmm/variables';
import { addDays, isoDate } from '../lib/dates';
import { CONTAINER_FOLLOW, LONG_SQL, SHORT } from './shared/activity-options';
import { parseInput } from './shared/input';
import { recordingEnd, type RunRecorder } from './shared/run-end';
import { PipelineStatus, ScheduledStartTime } from './shared/search-attributes';

const { generateAdSpend, prepareMmmDataset, collectRobynResults, recordMmmRun } = proxyActivities<MmmActivities>(SHORT);
// Options come per call (followOptions); executeWithOptions deep-merges them into these, so
// these must not carry CONTAINER_FOLLOW's retry.
const { runRobynJob } = proxyActivities<MmmActivities>({ startToCloseTimeout: CONTAINER_FOLLOW.startToCloseTimeout });

/**
 * CONTAINER_FOLLOW for one job: at most its 30 attempts (each re-attaches, never relaunches), and
 * no longer than the job's own timeout plus a margin. Cancelling the workflow waits until the
 * activity has stopped the job, so a cancelled workflow means a stopped job. (patched: runs that
 * scheduled their follower before the attempt limit replay with the unlimited policy they had.)
 */
function followOptions(timeoutMinutes: number, summary: string): ActivityOptions {
  const { maximumAttempts, ...unlimited } = CONTAINER_FOLLOW.retry ?? {};
  return {
    ...CONTAINER_FOLLOW,
    // patched(): runs scheduled before this keep their options. The SDK sends heartbeats at most
    // every 0.8 × heartbeatTimeout (capped at 60 s), and a cancellation reaches an activity only in
    // a heartbeat's answer: 12 s → progress in the UI and cancellation of the job within ~10 s
    // (with 2 minutes both took a minute). A worker that died is noticed as fast; the retry re-attaches.
    ...(patched('mmm-follow-heartbeat-12s') ? { heartbeatTimeout: FOLLOW_HEARTBEAT_TIMEOUT } : {}),
    // patched(): runs started before follows were bounded keep unlimited attempts.
    retry: patched('bounded-follow-attempts') ? { ...unlimited, maximumAttempts } : unlimited,
    scheduleToCloseTimeout: Math.round((timeoutMinutes + 15) * 60_000),
    cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
    summary,
  };
}

/** See followOptions. */
export const FOLLOW_HEARTBEAT_TIMEOUT = '12s';

/**
 * One run per country at a time: the CLI starts RobynMmm under this id, so the server refuses a
 * second start while one runs. A scheduled run (the schedule appends a timestamp to the id) runs
 * as the child with this id, so it is refused while a manual run holds it (see runAsCountryOwner).
 * Nothing inside the workflow locks anything, so nothing can leak.
 */
export const robynMmmWorkflowId = (country: string) => `robyn-mmm-${country}`;

export const robynMmmInput = z
  .object({
    /** First and last week (any day in it). Default: the 104 complete weeks before the run was due. */
    from: isoDate.optional(),
    to: isoDate.optional(),
    /** ISO 3166 country: picks the market's spend rows and Prophet's holiday calendar. */
    country: z
      .string()
      .regex(/^[A-Z]{2}$/, 'must be a two-letter country code like DE')
      .default('DE'),
    /** Robyn's tutorial settings by default (2000 × 5: about 10 minutes here). */
    iterations: z.number().int().min(10).max(100_000).default(2000),
    trials: z.number().int().min(1).max(20).default(5),
    seed: z.number().int().min(0).default(123),
    /** Default: DAG_LAUNCHER. */
    launcher: z.enum(['local', 'docker', 'cloudrun']).optional(),
    source: mmmSource.default({ kind: 'gold', demoSpend: true, seed: 42 }),
    minWeeks: z.number().int().min(26).max(1040).default(52),
    /** The job's time limit (the launcher stops it then); fractions allowed, from 3 s (0.05). */
    timeoutMinutes: z
      .number()
      .min(0.05)
      .max(24 * 60)
      .default(180),
    /** Ranges overriding the runner's defaults, e.g. {"tv_S_thetas": [0.3, 0.8]}: checked against the source's channels before launch. */
    hyperparameters: z.record(z.string(), z.tuple([z.number(), z.number()])).optional(),
  })
  .strict()
  .refine((i) => !i.from || !i.to || i.from <= i.to, { message: 'must not be before from', path: ['to'] })
  .superRefine((i, ctx) => {
    for (const message of hyperparameterProblems(i.hyperparameters, variablesOf(i.source)))
      ctx.addIssue({ code: 'custom', path: ['hyperparameters'], message });
  });
export type RobynMmmInput = z.input<typeof robynMmmInput>;

export interface RobynMmmResult extends MmmResult {
  runId: string;
  country: string;
  from: string;
  to: string;
  weeks: number;
  source: string;
  /** The run folder: input.csv, config.json, output/ (model_summary.json, plots). */
  runUri: string;
  jobId: string;
  summary: string;
}

/** Weekly MMM: dataset → snapshot → Robyn container (followed) → results into mmm.*. */
export async function RobynMmm(rawInput: RobynMmmInput = {}): Promise<RobynMmmResult> {
  return recordingEnd('RobynMmm', robynMmm, rawInput, { ended: (r) => ({ status: 'succeeded', summary: r.summary }) });
}

async function robynMmm(rawInput: RobynMmmInput, run: RunRecorder): Promise<RobynMmmResult> {
  const input = parseInput(robynMmmInput, rawInput, 'RobynMmm');
  const info = workflowInfo();
  const { from, to } = period(input.from, input.to);
  await run.begin(to);
  const { country, source } = input;
  // patched(): scheduled runs started before this rule replay their old history unchanged.
  if (info.typedSearchAttributes.get(ScheduledStartTime) && info.workflowId !== robynMmmWorkflowId(country) && patched('scheduled-run-owns-country-id'))
    return runAsCountryOwner({ ...input, from, to });
  const jobId = `robyn-${info.workflowId}-${info.runId}`; // workflow ids repeat week after week; runs do not
  const say = (s: string) => setCurrentDetails(`Robyn MMM ${country} ${from}..${to}: ${s}`);
  upsertSearchAttributes([{ key: PipelineStatus, value: 'running' }]);
  const record: MmmRunRecord = {
    runId: info.runId,
    workflowId: info.workflowId,
    country,
    status: 'failed',
    source: describeSource(source),
    from,
    to,
    weeks: null,
    iterations: input.iterations,
    trials: input.trials,
    launcher: input.launcher ?? 'configured',
    jobId,
    runUri: '',
  };
  try {
    if (source.kind === 'gold' && source.demoSpend) {
      say('generating demo ad spend');
      await generateAdSpend.executeWithOptions({ ...LONG_SQL, summary: `demo ad spend ${country} ${from}..${to}` }, [{ from, to, country, seed: source.seed }]);
    }
    say('building and validating the dataset');
    const data = await prepareMmmDataset({
      runId: info.runId,
      from,
      to,
      country,
      source,
      minWeeks: input.minWeeks,
      iterations: input.iterations,
      trials: input.trials,
      seed: input.seed,
      hyperparameters: input.hyperparameters,
    });
    Object.assign(record, { weeks: data.weeks, runUri: data.uri, launcher: input.launcher ?? data.configuredLauncher });
    say(
      `${data.weeks} weeks ${data.firstWeek}..${data.lastWeek}; Robyn job ${jobId} (${input.iterations} iterations × ${input.trials} trials) running, progress in the activity's heartbeat`,
    );
    await runRobynJob.executeWithOptions(followOptions(input.timeoutMinutes, `Robyn ${input.iterations}×${input.trials} on ${data.weeks} weeks`), [
      {
        jobId,
        launcher: input.launcher,
        configUri: data.configUri,
        inputUri: data.inputUri,
        outputUri: data.outputUri,
        outputPrefix: data.outputPrefix,
        timeoutSeconds: Math.ceil(input.timeoutMinutes * 60),
      },
    ]);
    const result = await collectRobynResults({ ...record, outputPrefix: data.outputPrefix });
    const summary = `chosen model ${result.chosenModel} (NRMSE ${result.nrmse.toFixed(3)}, DECOMP.RSSD ${result.decompRssd.toFixed(3)}) of ${result.candidateModels} on ${data.weeks} weeks; results in ${data.uri}`;
    say(summary);
    upsertSearchAttributes([{ key: PipelineStatus, value: 'succeeded' }]);
    return { ...result, runId: info.runId, country, from, to, weeks: data.weeks, source: data.source, runUri: data.uri, jobId, summary };
  } catch (err) {
    record.status = isCancellation(err) ? 'cancelled' : failureType(err) === 'RobynJobTimedOut' ? 'timed_out' : 'failed';
    record.message = failureMessage(err);
    // Recorded even when the workflow is being cancelled, so mmm.runs shows every run's end.
    await CancellationScope.nonCancellable(() => recordMmmRun(record));
    upsertSearchAttributes([{ key: PipelineStatus, value: 'failed' }]);
    say(`${record.status}: ${record.message}`);
    throw err;
  }
}

/**
 * A scheduled run goes ahead as the child `robyn-mmm-<country>` (the period fixed from the
 * schedule's time); while another run holds that id — an engineer's manual run — it is refused
 * with one clear, non-retryable failure, and nothing is launched.
 */
async function runAsCountryOwner(input: z.infer<typeof robynMmmInput>): Promise<RobynMmmResult> {
  const workflowId = robynMmmWorkflowId(input.country);
  try {
    return await executeChild(RobynMmm, { workflowId, args: [input], staticSummary: `Robyn MMM for ${input.country} (scheduled)` });
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
    const message = `refused: RobynMmm for ${input.country} is already running as ${workflowId} (one run per country at a time); this scheduled run launched nothing`;
    upsertSearchAttributes([{ key: PipelineStatus, value: 'refused' }]);
    setCurrentDetails(message);
    throw ApplicationFailure.nonRetryable(message, 'AlreadyRunning');
  }
}

/** Whole ISO weeks: from → its Monday, to → its Sunday; default the 104 weeks before the due week. */
function period(from?: string, to?: string): { from: string; to: string } {
  const info = workflowInfo();
  const due = new Date(info.typedSearchAttributes.get(ScheduledStartTime) ?? info.startTime).toISOString().slice(0, 10);
  const monday = (d: string) => addDays(d, -((new Date(`${d}T00:00:00Z`).getUTCDay() + 6) % 7));
  const end = to ? addDays(monday(to), 6) : addDays(monday(due), -1);
  return { from: from ? monday(from) : addDays(end, -7 * 104 + 1), to: end };
}

function failureType(err: unknown): string | undefined {
  const cause = (err as { cause?: { type?: string } }).cause;
  return cause?.type ?? (err as { type?: string }).type;
}

function failureMessage(err: unknown): string {
  const e = err as { message?: string; cause?: { message?: string } };
  return e.cause?.message ?? e.message ?? String(err);
}
