import { WorkflowFailedError } from '@temporalio/client';
import type { z } from 'zod';
import { ConfigError, outsidePartitionRange, type Config } from '../config/config';
import { rootCause } from '../workflows/shared/failure';
import { checkInput } from '../workflows/shared/input';

/** An error whose message is the whole story: printed as one line, exit code 1 (or `code`). */
export class CliError extends Error {
  override name = 'CliError';
  constructor(
    message: string,
    readonly code = 1,
  ) {
    super(message);
  }
}

/**
 * A workflow's input checked with the workflow's own schema BEFORE anything starts: a bad
 * `--from`/`--to`, `--only`, number or size fails here with the message the workflow would give.
 */
export function validateWorkflowInput<S extends z.ZodType>(schema: S, input: unknown, workflowType: string): z.infer<S> {
  const checked = checkInput(schema, input, workflowType);
  if (!checked.ok) throw new CliError(checked.message);
  return checked.data;
}

/** A number flag as the schema should see it: a number when the text is one, else the text (the schema then names the problem). */
export function cliNumber(text: string): number | string {
  const n = Number(text);
  return text.trim() !== '' && Number.isFinite(n) ? n : text;
}

/** Partition dates outside the configured range (DAG_PARTITION_MIN / DAG_PARTITION_MAX) are refused before anything starts. */
export function checkPartitionRange(config: Config, ...dates: string[]): void {
  const problem = outsidePartitionRange(config, ...dates);
  if (problem) throw new CliError(problem);
}

/** `<workflowId> failed: <root cause>` in one line (not "Activity task failed"). */
export function workflowFailed(workflowId: string, err: WorkflowFailedError): CliError {
  return new CliError(`${workflowId} failed: ${rootCause(err.cause ?? err)}`);
}

/** Turns what users can cause (bad config, unreachable server) into one readable line. */
export function explain(err: unknown, address?: string): string {
  if (err instanceof CliError || err instanceof ConfigError) return err.message;
  if (err instanceof WorkflowFailedError) return `workflow failed: ${rootCause(err.cause ?? err)}`;
  const msg = String((err as Error)?.message ?? err);
  if (/ECONNREFUSED|UNAVAILABLE|Failed to connect|connect ETIMEDOUT|deadline exceeded|transport error/i.test(msg)) {
    return `cannot reach Temporal at ${address ?? 'the configured address'}: start it with \`dag dev\` (embedded) or set TEMPORAL_ADDRESS`;
  }
  return msg.split('\n')[0];
}
