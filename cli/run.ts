import { WorkflowExecutionAlreadyStartedError, WorkflowFailedError } from '@temporalio/client';
import type { Command } from 'commander';
import { addDays, isoDate } from '../lib/dates';
import { NightlyPipeline, unmatchedWarning, type NightlyResult } from '../workflows/nightly-pipeline';
import { nightlyWorkflowId } from '../workflows/shared/names';
import { PartitionDate } from '../workflows/shared/search-attributes';
import { CliError } from './errors';
import type { CliContext } from './main';
import { print } from './output';

export function registerRunCommands(program: Command, ctx: CliContext): void {
  const run = program.command('run').description('start a workflow');
  run
    .command('nightly')
    .description('start NightlyPipeline for a partition (default: yesterday, UTC)')
    .option('--date <date>', 'partition date YYYY-MM-DD')
    .option('--generate <rows>', 'generate this many demo events into the landing area first')
    .option('--anomalies', 'plant anomalies in the generated data')
    .option('--no-review', 'when a blocking check fails, report the partition blocked instead of opening a cleaning review')
    .option('--accept-partial', 'publish even when an object of the delivery could not be read (check files_failed only warns)')
    .option('--wait', 'wait for the result')
    .option('--json', 'print JSON')
    .action(
      async (opts: { date?: string; generate?: string; anomalies?: boolean; review: boolean; acceptPartial?: boolean; wait?: boolean; json?: boolean }) => {
        const date = parseDate(opts.date ?? addDays(new Date().toISOString().slice(0, 10), -1));
        const rows = opts.generate === undefined ? undefined : Number(opts.generate);
        if (rows !== undefined && !(Number.isInteger(rows) && rows > 0))
          throw new CliError(`--generate must be a positive whole number, got ${JSON.stringify(opts.generate)}`);
        const config = ctx.config();
        const client = await ctx.client();
        const workflowId = nightlyWorkflowId(date);
        try {
          const handle = await client.workflow.start(NightlyPipeline, {
            taskQueue: config.temporal.taskQueue,
            workflowId,
            // One run per partition at a time; a finished one may be re-run (idempotent by partition).
            workflowIdConflictPolicy: 'FAIL',
            workflowIdReusePolicy: 'ALLOW_DUPLICATE',
            args: [
              {
                date,
                ...(rows ? { generate: { rows, anomalies: opts.anomalies ?? false, seed: 42 } } : {}),
                ...(opts.review ? {} : { review: false }),
                ...(opts.acceptPartial ? { acceptPartial: true } : {}),
              },
            ],
            typedSearchAttributes: [{ key: PartitionDate, value: date }],
            staticSummary: `Nightly pipeline for ${date}`,
          });
          if (!opts.wait)
            return print(!!opts.json, { workflowId, runId: handle.firstExecutionRunId }, () => `started ${workflowId} (run ${handle.firstExecutionRunId})`);
          printNightlyResult(!!opts.json, await handle.result());
        } catch (err) {
          if (err instanceof WorkflowExecutionAlreadyStartedError)
            throw new CliError(`NightlyPipeline for ${date} is already running as ${workflowId}; wait for it or cancel it first`);
          if (err instanceof WorkflowFailedError) throw new CliError(`${workflowId} failed: ${err.cause?.message ?? err.message}`);
          throw err;
        } finally {
          await client.connection.close();
        }
      },
    );

  program
    .command('status <workflowId>')
    .description('show a workflow: status, partition, summary, result')
    .option('--json', 'print JSON')
    .action(async (workflowId: string, opts: { json?: boolean }) => {
      const client = await ctx.client();
      try {
        const handle = client.workflow.getHandle(workflowId);
        const d = await handle.describe();
        const info = {
          workflowId,
          runId: d.runId,
          type: d.type,
          status: d.status.name,
          startTime: d.startTime.toISOString(),
          closeTime: d.closeTime?.toISOString(),
          partition: d.searchAttributes.PartitionDate?.[0],
          pipelineStatus: d.searchAttributes.PipelineStatus?.[0],
          result: d.status.name === 'COMPLETED' ? await handle.result() : undefined,
        };
        print(!!opts.json, info, () => {
          const r = info.result as { summary?: string; ignoredFiles?: string[] } | undefined;
          // Landing files that match no source were not loaded: say so even when the summary is long.
          const unmatched = r?.ignoredFiles?.length && !r.summary?.includes('no source:') ? `\n  ${unmatchedWarning(r.ignoredFiles)}` : '';
          return `${workflowId}  ${info.type}  ${info.status}${info.partition ? `  partition ${info.partition}` : ''}${info.pipelineStatus ? `  (${info.pipelineStatus})` : ''}${r?.summary ? `\n  ${r.summary}` : ''}${unmatched}`;
        });
      } catch (err) {
        if ((err as Error).name === 'WorkflowNotFoundError') throw new CliError(`no workflow with id ${JSON.stringify(workflowId)}`);
        throw err;
      } finally {
        await client.connection.close();
      }
    });
}

export function parseDate(s: string): string {
  const r = isoDate.safeParse(s);
  if (!r.success) throw new CliError(`bad date ${JSON.stringify(s)}: ${r.error.issues[0].message}`);
  return r.data;
}

export function printNightlyResult(json: boolean, r: NightlyResult): void {
  print(json, r, () =>
    [
      `${r.date}: ${r.status} in ${(r.durationMs / 1000).toFixed(1)} s — ${r.summary}`,
      ...r.loads.map(
        (l) =>
          `  ${l.source.padEnd(12)} ${l.status.padEnd(22)} ${String(l.rowsLoaded).padStart(10)} loaded ${String(l.rowsQuarantined).padStart(7)} quarantined${l.message ? `  (${l.message})` : ''}`,
      ),
    ].join('\n'),
  );
}
