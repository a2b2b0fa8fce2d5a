import { WorkflowFailedError, type WorkflowHandle } from '@temporalio/client';
import type { Command } from 'commander';
import { addDays, isoDate } from '../lib/dates';
import { unmatchedWarning, type NightlyResult } from '../workflows/nightly-pipeline';
import { rootCause } from '../workflows/shared/failure';
import { CliError, cliNumber } from './errors';
import type { CliContext } from './main';
import { print } from './output';
import { startNightly } from './start-nightly';

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
        const rows = opts.generate === undefined ? undefined : cliNumber(opts.generate);
        const input = {
          date,
          ...(rows !== undefined ? { generate: { rows, anomalies: opts.anomalies ?? false, seed: 42 } } : {}),
          ...(opts.review ? {} : { review: false }),
          ...(opts.acceptPartial ? { acceptPartial: true } : {}),
        };
        await startNightly(ctx, input, { summary: `Nightly pipeline for ${date}`, started: '', wait: opts.wait, json: opts.json });
      },
    );

  program
    .command('status <workflowId>')
    .description('show a workflow: status, partition, summary or the root cause of its failure')
    .option('--json', 'print JSON')
    .action(async (workflowId: string, opts: { json?: boolean }) => {
      const client = await ctx.client();
      try {
        const handle = client.workflow.getHandle(workflowId);
        const d = await handle.describe();
        const status = d.status.name;
        // result() of an open run would wait for it: only closed runs are asked.
        const outcome: { result?: unknown; cause?: string } =
          status === 'RUNNING'
            ? {}
            : await handle.result().then(
                (result: unknown) => ({ result }),
                (err: unknown) => ({ cause: err instanceof WorkflowFailedError ? rootCause(err.cause ?? err) : undefined }),
              );
        const info = {
          workflowId,
          runId: d.runId,
          type: d.type,
          status,
          startTime: d.startTime.toISOString(),
          closeTime: d.closeTime?.toISOString(),
          partition: d.searchAttributes.PartitionDate?.[0] as string | undefined,
          pipelineStatus: d.searchAttributes.PipelineStatus?.[0] as string | undefined,
          ...(status === 'COMPLETED' ? { result: outcome.result } : {}),
          ...(status === 'FAILED' && outcome.cause ? { cause: outcome.cause } : {}),
          ...(status === 'TERMINATED' || status === 'TIMED_OUT'
            ? { unrecorded: await unrecordedEnd(handle, status, d.searchAttributes.PipelineStatus?.[0]) }
            : {}),
        };
        print(!!opts.json, info, () => {
          const r = info.result as { summary?: string; ignoredFiles?: string[] } | undefined;
          const head = `${workflowId}  ${info.type}  ${info.status}${info.partition ? `  partition ${info.partition}` : ''}${info.pipelineStatus ? `  (${info.pipelineStatus})` : ''}`;
          const more = info.cause ? `cause: ${info.cause}` : (info.unrecorded ?? r?.summary);
          // Landing files that match no source were not loaded: say so even when the summary is long.
          const unmatched = r?.ignoredFiles?.length && !r.summary?.includes('no source:') ? `\n  ${unmatchedWarning(r.ignoredFiles)}` : '';
          return `${more ? `${head}\n  ${more}` : head}${unmatched}`;
        });
      } catch (err) {
        if ((err as Error).name === 'WorkflowNotFoundError') throw new CliError(`no workflow with id ${JSON.stringify(workflowId)}`);
        throw err;
      } finally {
        await client.connection.close();
      }
    });
}

/**
 * A terminated or timed-out run runs no more code, so it cannot record its end: says so (with the
 * termination reason), and who reconciles ops.workflow_runs / ops.pipeline_runs.
 */
async function unrecordedEnd(handle: WorkflowHandle, status: string, pipelineStatus: unknown): Promise<string> {
  const events = (await handle.fetchHistory()).events ?? [];
  const reason = events.at(-1)?.workflowExecutionTerminatedEventAttributes?.reason;
  const what = status === 'TERMINATED' ? `terminated${reason ? ` (${reason})` : ''}` : 'timed out';
  const stale = pipelineStatus === 'running' ? ', so PipelineStatus still says "running"' : '';
  return `${what}: it could not record its end${stale}; the next run of this workflow id records it as terminated`;
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
