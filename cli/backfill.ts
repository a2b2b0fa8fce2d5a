import { WorkflowFailedError } from '@temporalio/client';
import { SingleBar, Presets } from 'cli-progress';
import type { Command } from 'commander';
import { Backfill, backfillInput, backfillProgress, type BackfillResult } from '../workflows/backfill';
import { checkPartitionRange, cliNumber, validateWorkflowInput, workflowFailed } from './errors';
import type { CliContext } from './main';
import { print } from './output';

export function registerBackfillCommand(program: Command, ctx: CliContext): void {
  program
    .command('backfill')
    .description('run NightlyPipeline for a range of dates (child workflows, bounded concurrency)')
    .requiredOption('--from <date>', 'first date YYYY-MM-DD')
    .requiredOption('--to <date>', 'last date YYYY-MM-DD (inclusive)')
    .option('--only <which>', 'all | missing | failed-or-missing', 'all')
    .option('--max-concurrent <n>', 'dates at once', '2')
    .option('--dry-run', 'only print which dates would run')
    .option('--json', 'print JSON')
    .action(async (opts: { from: string; to: string; only: string; maxConcurrent: string; dryRun?: boolean; json?: boolean }) => {
      // Checked with the workflow's own schema before anything starts (nothing is started on a bad flag).
      const input = validateWorkflowInput(
        backfillInput,
        { from: opts.from, to: opts.to, only: opts.only, maxConcurrent: cliNumber(opts.maxConcurrent), dryRun: !!opts.dryRun },
        'Backfill',
      );
      checkPartitionRange(ctx.config(), input.from, input.to);
      const config = ctx.config();
      const client = await ctx.client();
      const workflowId = `backfill-${input.from}-${input.to}-${Date.now()}`;
      try {
        const handle = await client.workflow.start(Backfill, {
          taskQueue: config.temporal.taskQueue,
          workflowId,
          args: [input],
          staticSummary: `Backfill ${input.from} … ${input.to} (${opts.only})`,
        });
        if (!opts.json && !input.dryRun) process.stdout.write(`started ${workflowId}\n`);
        const bar =
          opts.json || input.dryRun
            ? undefined
            : new SingleBar({ format: 'backfill [{bar}] {value}/{total} dates · {status}', hideCursor: true }, Presets.shades_classic);
        let result: BackfillResult | undefined;
        const done = handle.result().then((r) => (result = r));
        while (!result) {
          const p = await handle.query(backfillProgress).catch(() => undefined);
          if (p && p.state !== 'planning' && bar) {
            if (!bar.getTotal()) bar.start(p.plan.length, 0, { status: '' });
            bar.update(Object.keys(p.done).length, { status: p.running.length ? `running ${p.running.join(', ')}` : '' });
          }
          await Promise.race([done, new Promise((r) => setTimeout(r, 1000))]);
        }
        bar?.stop();
        print(!!opts.json, result, () => summarise(result!));
      } catch (err) {
        if (err instanceof WorkflowFailedError) throw workflowFailed(workflowId, err);
        throw err;
      } finally {
        await client.connection.close();
      }
    });
}

function summarise(r: BackfillResult): string {
  if (r.dryRun)
    return `would run ${r.plan.length} date(s): ${r.plan.join(', ') || '-'}${r.skipped.length ? `\nskipping ${r.skipped.length}: ${r.skipped.join(', ')}` : ''}`;
  const lines = Object.entries(r.done)
    .sort()
    .map(([d, o]) => `  ${d}  ${o}`);
  return [
    `${r.counts.succeeded} succeeded, ${r.counts.blocked} blocked, ${r.counts.failed} failed, ${r.counts.already_running} already running`,
    ...lines,
  ].join('\n');
}
