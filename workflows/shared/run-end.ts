import {
  ContinueAsNew,
  ApplicationFailure,
  CancellationScope,
  getCurrentDetails,
  isCancellation,
  patched,
  proxyActivities,
  setCurrentDetails,
  upsertSearchAttributes,
} from '@temporalio/workflow';
import type { Activities } from '../../activities';
import type { RunStatus } from '../../activities/runs';
import { SHORT } from './activity-options';
import { detailsOneLine } from './details';
import { rootCause, rootFailureType } from './failure';
import { PartitionDate, PipelineStatus } from './search-attributes';

const { recordWorkflowRun } = proxyActivities<Activities>(SHORT);

/** The patch every workflow's run recording is behind: histories from before it replay without it. */
export const RECORD_RUN_END = 'record-run-end';

export type EndStatus = Exclude<RunStatus, 'running' | 'terminated'>;
export interface RunEnd {
  status: EndStatus;
  summary: string;
}

export interface RunRecorder {
  /**
   * Marks the run `running` (search attribute PipelineStatus, ops.workflow_runs) once its
   * partition is known, and has earlier runs of the same workflow id that never recorded their
   * end (terminated, timed out) marked `terminated`.
   */
  begin(partition?: string, otherDates?: string[]): Promise<void>;
}

export interface RecordOptions<T> {
  /** How a returned result ended (default: succeeded, no summary). */
  ended?: (result: T) => RunEnd;
  /** Whether the run's end also goes to the partition's ops.pipeline_runs row (NightlyPipeline). */
  ledger?: (partition: string) => boolean;
  /** Whether begin() also sets the PartitionDate search attribute (default true; a backfill's range end is not its partition). */
  partitionAttribute?: boolean;
}

/**
 * Runs a workflow's body and records how it ended — succeeded, blocked, failed (with the root
 * cause), cancelled, refused — in the PipelineStatus search attribute, the current details and
 * ops.workflow_runs, from ONE non-cancellable block, so a cancelled run records its end too.
 * The body's outcome (result or error) is returned or rethrown unchanged. A recording that fails
 * for good does not change the outcome; the details then say so.
 *
 * Behind patched(RECORD_RUN_END): runs started before it replay exactly as they ran.
 */
export async function recordingEnd<I, T>(
  workflowType: string,
  body: (input: I, run: RunRecorder) => Promise<T>,
  input: I,
  opts: RecordOptions<T> = {},
): Promise<T> {
  if (!patched(RECORD_RUN_END)) return body(input, { begin: async () => undefined });
  let partition: string | undefined;
  const record = (status: RunStatus, summary: string, dates?: string[]) =>
    recordWorkflowRun.executeWithOptions({ ...SHORT, summary: `record ${workflowType} ${status}` }, [
      { workflowType, partition: partition ?? null, status, summary, ledger: partition !== undefined && (opts.ledger?.(partition) ?? false), dates },
    ]);
  const run: RunRecorder = {
    async begin(p, otherDates = []) {
      partition = p;
      upsertSearchAttributes([
        { key: PipelineStatus, value: 'running' },
        ...(p && opts.partitionAttribute !== false ? [{ key: PartitionDate, value: p }] : []),
      ]);
      const started = await record('running', 'running', [...(p ? [p] : []), ...otherDates]);
      // Dates outside the deployment's partition range (DAG_PARTITION_MIN..MAX) refuse the run.
      if (started.refused) throw ApplicationFailure.nonRetryable(`${workflowType} input: ${started.refused}`, 'InvalidInput');
    },
  };

  let outcome: { ok: true; value: T } | { ok: false; error: unknown };
  let end: RunEnd;
  try {
    const value = await body(input, run);
    outcome = { ok: true, value };
    end = opts.ended?.(value) ?? { status: 'succeeded', summary: '' };
  } catch (error) {
    // Late data: a run that starts over (continue-as-new) has not ended; the next run records the
    // end. It says so (patched: earlier runs left their row `running`, and the next run's begin()
    // then called it terminated).
    if (error instanceof ContinueAsNew) {
      if (patched('record-continued-runs'))
        await CancellationScope.nonCancellable(async () => {
          upsertSearchAttributes([{ key: PipelineStatus, value: 'continued' }]);
          await record('continued', 'started over as a new run of the same workflow id (continue-as-new)');
        });
      throw error;
    }
    outcome = { ok: false, error };
    end = isCancellation(error)
      ? { status: 'cancelled', summary: getCurrentDetails() ? `while ${detailsOneLine(getCurrentDetails())}` : 'before it started any work' }
      : { status: rootFailureType(error) === 'AlreadyRunning' ? 'refused' : 'failed', summary: rootCause(error) };
  }
  await CancellationScope.nonCancellable(async () => {
    upsertSearchAttributes([{ key: PipelineStatus, value: end.status }]);
    // Succeeded and blocked runs keep the details their workflow wrote (short Markdown lines for
    // the UI's panel; the summary is one long line), else their summary; others say why they ended.
    const kept = end.status === 'succeeded' || end.status === 'blocked';
    const details = kept ? (getCurrentDetails() ? '' : end.summary) : `${end.status}: ${end.summary}`;
    try {
      await record(end.status, end.summary);
      if (details) setCurrentDetails(details);
    } catch (err) {
      setCurrentDetails(`${details || end.status} (its end could not be recorded in ops.workflow_runs: ${rootCause(err)})`);
    }
  });
  if (!outcome.ok) throw outcome.error;
  return outcome.value;
}
