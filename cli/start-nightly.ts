import { WorkflowExecutionAlreadyStartedError, WorkflowFailedError } from '@temporalio/client';
import { NightlyPipeline, nightlyInput, type NightlyInput } from '../workflows/nightly-pipeline';
import { nightlyWorkflowId } from '../workflows/shared/names';
import { PartitionDate } from '../workflows/shared/search-attributes';
import { checkPartitionRange, CliError, validateWorkflowInput, workflowFailed } from './errors';
import type { CliContext } from './main';
import { print } from './output';
import { printNightlyResult } from './run';

/**
 * Starts NightlyPipeline for `input.date` under its one id (`dag run nightly`, `dag landing
 * retract`): the input is checked against the workflow's own schema and the partition range before
 * anything starts; one run per partition at a time, a finished one may be re-run (idempotent by
 * partition). Prints the start, or with `wait` the result.
 */
export async function startNightly(
  ctx: CliContext,
  // Checked here against the workflow's schema (CLI values may still be text).
  input: { date: string; [field: string]: unknown },
  opts: { summary: string; started: string; wait?: boolean; json?: boolean },
): Promise<void> {
  validateWorkflowInput(nightlyInput, input, 'NightlyPipeline');
  const config = ctx.config();
  checkPartitionRange(config, input.date);
  const client = await ctx.client();
  const workflowId = nightlyWorkflowId(input.date);
  try {
    const handle = await client.workflow.start(NightlyPipeline, {
      taskQueue: config.temporal.taskQueue,
      workflowId,
      workflowIdConflictPolicy: 'FAIL',
      workflowIdReusePolicy: 'ALLOW_DUPLICATE',
      args: [input as NightlyInput],
      typedSearchAttributes: [{ key: PartitionDate, value: input.date }],
      staticSummary: opts.summary,
    });
    if (!opts.wait)
      return print(
        !!opts.json,
        { workflowId, runId: handle.firstExecutionRunId },
        () => `started ${workflowId} (run ${handle.firstExecutionRunId})${opts.started}`,
      );
    printNightlyResult(!!opts.json, await handle.result());
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError)
      throw new CliError(`NightlyPipeline for ${input.date} is already running as ${workflowId}; wait for it or cancel it first`);
    if (err instanceof WorkflowFailedError) throw workflowFailed(workflowId, err);
    throw err;
  } finally {
    await client.connection.close();
  }
}
