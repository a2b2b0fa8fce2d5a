import { WorkflowExecutionAlreadyStartedError, WorkflowFailedError } from '@temporalio/client';
import type { Command } from 'commander';
import { NightlyPipeline } from '../workflows/nightly-pipeline';
import { nightlyWorkflowId } from '../workflows/shared/names';
import { PartitionDate } from '../workflows/shared/search-attributes';
import { CliError } from './errors';
import type { CliContext } from './main';
import { print } from './output';
import { parseDate, printNightlyResult } from './run';

/**
 * `dag landing retract <date> [--key K …]`: withdraw a day's delivery whose objects are gone from
 * the landing folder. A folder emptied by archiving or a lifecycle rule keeps its bronze rows
 * (README "The current delivery"); this says the day is really withdrawn. It runs the date
 * (NightlyPipeline with `retract`), so the rows leave bronze — each object with a `retracted`
 * audit row — and silver and gold follow, all through the worker.
 */
export function registerLandingCommands(program: Command, ctx: CliContext): void {
  const landing = program.command('landing').description('the landing area');
  landing
    .command('retract <date>')
    .description('withdraw the objects of a date that are no longer in landing/<date>/ (all, or --key), then run the date without them')
    .option('--key <key...>', 'only these objects, e.g. landing/2026-11-01/events.csv')
    .option('--wait', 'wait for the run and print its result')
    .option('--json', 'print JSON')
    .action(async (rawDate: string, opts: { key?: string[]; wait?: boolean; json?: boolean }) => {
      const date = parseDate(rawDate);
      for (const k of opts.key ?? [])
        if (!k.startsWith(`landing/${date}/`) || k.length > 1024)
          throw new CliError(`--key ${JSON.stringify(k.slice(0, 200))} is not an object of landing/${date}/`);
      const config = ctx.config();
      const client = await ctx.client();
      const workflowId = nightlyWorkflowId(date);
      try {
        const handle = await client.workflow.start(NightlyPipeline, {
          taskQueue: config.temporal.taskQueue,
          workflowId,
          workflowIdConflictPolicy: 'FAIL',
          workflowIdReusePolicy: 'ALLOW_DUPLICATE',
          args: [{ date, retract: opts.key?.length ? opts.key : 'all' }],
          typedSearchAttributes: [{ key: PartitionDate, value: date }],
          staticSummary: `Withdraw ${opts.key?.length ? opts.key.join(', ') : `the delivery of ${date}`} and run the date`,
        });
        if (!opts.wait)
          return print(
            !!opts.json,
            { workflowId, runId: handle.firstExecutionRunId },
            () => `started ${workflowId} (run ${handle.firstExecutionRunId}) to withdraw and rebuild ${date}`,
          );
        printNightlyResult(!!opts.json, await handle.result());
      } catch (err) {
        if (err instanceof WorkflowExecutionAlreadyStartedError)
          throw new CliError(`NightlyPipeline for ${date} is already running as ${workflowId}; wait for it or cancel it first`);
        if (err instanceof WorkflowFailedError) throw new CliError(`${workflowId} failed: ${err.cause?.message ?? err.message}`);
        throw err;
      } finally {
        await client.connection.close();
      }
    });
}
