import type { Command } from 'commander';
import { CliError } from './errors';
import type { CliContext } from './main';
import { parseDate } from './run';
import { startNightly } from './start-nightly';

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
      await startNightly(
        ctx,
        { date, retract: opts.key?.length ? opts.key : 'all' },
        {
          summary: `Withdraw ${opts.key?.length ? opts.key.join(', ') : `the delivery of ${date}`} and run the date`,
          started: ` to withdraw and rebuild ${date}`,
          wait: opts.wait,
          json: opts.json,
        },
      );
    });
}
