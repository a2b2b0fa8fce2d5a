import type { Command } from 'commander';
import { runWorker } from '../workers/main';
import type { CliContext } from './main';
import { startEmbedded, untilSignal } from './dev';
import { runNightlyOnce } from './quickstart';
import { CliError } from './errors';
import { describeConsole } from '../console/start';

export function registerDevCommands(program: Command, ctx: CliContext): void {
  program
    .command('dev')
    .description('start the embedded Temporal dev server (Web UI) and a worker; Ctrl-C stops both')
    .option('--no-server', 'start no embedded server: a worker and the console against TEMPORAL_ADDRESS')
    .action(async (opts: { server: boolean }) => {
      const address = ctx.config().temporal.address;
      // `dag dev` is the embedded stack; quietly running only a worker against another server would surprise.
      if (address && opts.server)
        throw new CliError(
          `TEMPORAL_ADDRESS is set (${address}): \`dag dev\` starts the embedded dev server and would ignore it. Run \`dag worker\` (or \`dag dev --no-server\` for a worker and the console) to work against ${address}, or unset TEMPORAL_ADDRESS`,
        );
      if (!address && !opts.server) throw new CliError('`dag dev --no-server` needs TEMPORAL_ADDRESS (the server to work against)');
      const stack = await startEmbedded(ctx.config());
      process.stdout.write(
        `Temporal ${stack.address}${stack.uiUrl ? `  ·  Web UI ${stack.uiUrl}` : ''}  ·  task queue ${ctx.config().temporal.taskQueue}\n` +
          (stack.console ? `${describeConsole(stack.console, ctx.config().console.accountsFile)}\n` : '') +
          'Ctrl-C to stop.\n',
      );
      await untilSignal();
      await stack.stop();
    });

  program
    .command('quickstart')
    .description('bring up the embedded stack, run NightlyPipeline once on generated demo data, print the summary')
    .option('--date <date>', 'partition date', '2026-11-01')
    .option('--rows <n>', 'demo events to generate', '200000')
    .option('--anomalies', 'plant anomalies (the quality gates then block publication)')
    .option('--keep-running', 'keep the server and worker up afterwards (default when run in a terminal)')
    .option('--exit', 'exit after the run even in a terminal')
    .action(async (opts: { date: string; rows: string; anomalies?: boolean; keepRunning?: boolean; exit?: boolean }) => {
      const stay = opts.keepRunning || (!opts.exit && process.stdin.isTTY === true);
      await runNightlyOnce(ctx.config(), { date: opts.date, rows: Number(opts.rows), anomalies: !!opts.anomalies, stay });
    });

  program
    .command('worker')
    .description('run a worker only (against TEMPORAL_ADDRESS or the embedded server started by `dag dev`)')
    .action(async () => runWorker());
}
