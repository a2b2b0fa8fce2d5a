import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import { createLauncher, localRobynCommand, type JobHandle, type JobStatus, type Launcher } from '../../adapters/launcher';
import type { Config } from '../../config/config';
import type { ActivityDeps } from '../../lib/deps';
import { activityContext, withHeartbeat } from '../../lib/heartbeat';
import { lastProgress } from './progress';

export type LauncherKind = Config['launcher']['kind'];

export interface RunRobynJobInput {
  /** Deterministic per workflow run: a retry or a new worker launching it again re-attaches. */
  jobId: string;
  /** Default: the configured launcher (DAG_LAUNCHER). */
  launcher?: LauncherKind;
  configUri: string;
  inputUri: string;
  outputUri: string;
  /** Output prefix in the object store, for progress when the launcher cannot read it (gs://). */
  outputPrefix: string;
  timeoutSeconds: number;
}

export interface RunRobynJobResult {
  jobId: string;
  launcher: LauncherKind;
  ref: string;
  startedAt?: string;
  finishedAt?: string;
}

export interface RobynJobOptions {
  /** The local launcher's runner command; default: the Robyn runner (localRobynCommand()). */
  runnerCommand?: readonly string[];
  pollIntervalMs?: number;
}

/** Extra time past the job's own timeout before the follower stops a job its launcher did not. */
const TIMEOUT_GRACE_MS = 120_000;

/**
 * Launches the runner (or re-attaches: launch is idempotent by jobId) and follows it until it
 * ends, heartbeating {state, progress} for the UI. Workflow cancellation stops the job; a worker
 * shutdown does not (the next attempt re-attaches). Failure, timeout and cancellation of the job
 * itself are non-retryable: launching the same jobId again would only re-attach to it.
 */
export async function runRobynJob(deps: ActivityDeps, input: RunRobynJobInput, opts: RobynJobOptions = {}): Promise<RunRobynJobResult> {
  const kind = input.launcher ?? deps.config.launcher.kind;
  const launcher = createLauncher({ ...deps.config, launcher: { ...deps.config.launcher, kind } }, deps.config.dataDir);
  const ctx = activityContext();
  // Launching may pull an image first: heartbeat meanwhile so it is not taken for a dead worker.
  const handle = await withHeartbeat(
    () =>
      launcher.launch({
        jobId: input.jobId,
        image: deps.config.launcher.image,
        command: [...(opts.runnerCommand ?? localRobynCommand())],
        env: { DAG_CONFIG_URI: input.configUri, DAG_INPUT_URI: input.inputUri, DAG_OUTPUT_URI: input.outputUri },
        timeoutSeconds: input.timeoutSeconds,
      }),
    () => ({ jobId: input.jobId, launcher: kind, state: 'launching' }),
  );
  const followedSince = Date.now();
  deps.logger.info('following Robyn job', { jobId: input.jobId, launcher: kind, ref: handle.ref, attempt: ctx?.info.attempt });
  try {
    for (;;) {
      const status = await launcher.status(handle);
      const progress = status.progress ?? (await lastProgress(deps.store, input.outputPrefix));
      ctx?.heartbeat({ jobId: input.jobId, launcher: kind, ref: handle.ref, state: status.state, progress, startedAt: status.startedAt });
      if (status.state !== 'running') return finished(handle, kind, status);
      const started = status.startedAt ? Date.parse(status.startedAt) : followedSince;
      if (Date.now() > started + input.timeoutSeconds * 1000 + TIMEOUT_GRACE_MS) {
        await launcher.cancel(handle);
        throw ApplicationFailure.nonRetryable(`Robyn job ${input.jobId} ran past its ${input.timeoutSeconds}s timeout and was stopped`, 'RobynJobTimedOut');
      }
      await (ctx ? ctx.sleep(opts.pollIntervalMs ?? 2000) : new Promise((r) => setTimeout(r, opts.pollIntervalMs ?? 2000)));
    }
  } catch (err) {
    if (err instanceof CancelledFailure) await onCancelled(launcher, handle, deps);
    throw err;
  }
}

/** Stops the job when the workflow asked for it; leaves it running when only this worker is going away. */
async function onCancelled(launcher: Launcher, handle: JobHandle, deps: ActivityDeps): Promise<void> {
  const why = activityContext()?.cancellationDetails;
  if (why?.workerShutdown || why?.timedOut) {
    deps.logger.info('worker leaving a Robyn job running for the next attempt to re-attach', { jobId: handle.jobId, ref: handle.ref });
    return;
  }
  deps.logger.info('cancelling Robyn job', { jobId: handle.jobId, ref: handle.ref });
  await launcher.cancel(handle);
}

function finished(handle: JobHandle, kind: LauncherKind, status: JobStatus): RunRobynJobResult {
  const where = `Robyn job ${handle.jobId} (${kind} ${handle.ref})`;
  switch (status.state) {
    case 'succeeded':
      return { jobId: handle.jobId, launcher: kind, ref: handle.ref, startedAt: status.startedAt, finishedAt: status.finishedAt };
    case 'timed_out':
      throw ApplicationFailure.nonRetryable(`${where} timed out: ${status.message ?? ''}`.trim(), 'RobynJobTimedOut');
    case 'cancelled':
      throw ApplicationFailure.nonRetryable(`${where} was cancelled outside this workflow`, 'RobynJobCancelled');
    default: {
      // Exit code 2 is the runner's "bad config or input": the dataset or settings must change.
      const type = status.exitCode === 2 ? 'RobynInvalidInput' : 'RobynJobFailed';
      throw ApplicationFailure.nonRetryable(
        `${where} failed${status.exitCode !== undefined ? ` with exit code ${status.exitCode}` : ''}: ${status.message ?? 'no message'}`,
        type,
      );
    }
  }
}
