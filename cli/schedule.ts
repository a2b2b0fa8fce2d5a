import type { Command } from 'commander';
import { applySchedule, nightlyScheduleOptions, robynScheduleOptions } from '../temporal/schedules';
import type { CliContext } from './main';
import { print } from './output';

export function registerScheduleCommands(program: Command, ctx: CliContext): void {
  const schedule = program.command('schedule').description('manage Temporal schedules');
  schedule
    .command('apply')
    .description('create or update the nightly schedule (DAG_NIGHTLY_CRON, DAG_NIGHTLY_TZ, DAG_SCHEDULE_CATCHUP)')
    .option('--cron <expr>', 'cron expression (default: DAG_NIGHTLY_CRON or "0 2 * * *")')
    .option('--tz <zone>', 'IANA time zone (default: DAG_NIGHTLY_TZ or UTC)')
    .option('--json', 'print JSON')
    .action(async (opts: { cron?: string; tz?: string; json?: boolean }) => {
      const config = ctx.config();
      const sched = { ...config.schedule, ...(opts.cron ? { cron: opts.cron } : {}), ...(opts.tz ? { timeZone: opts.tz } : {}) };
      const options = nightlyScheduleOptions({ ...config, schedule: sched });
      const client = await ctx.client();
      try {
        const outcome = await applySchedule(client, options);
        const out = {
          scheduleId: options.scheduleId,
          outcome,
          cron: sched.cron,
          timeZone: sched.timeZone,
          overlap: 'ALLOW_ALL',
          catchupWindow: sched.catchupWindow,
        };
        // Weekly marketing-mix models, one schedule per country (DAG_MMM_COUNTRIES).
        const weekly: { scheduleId: string; outcome: string }[] = [];
        for (const country of config.mmm.countries) {
          const o = robynScheduleOptions(config, { country });
          weekly.push({ scheduleId: o.scheduleId, outcome: await applySchedule(client, o) });
        }
        print(!!opts.json, { ...out, weekly }, () =>
          [
            `${outcome} schedule ${out.scheduleId}: "${out.cron}" ${out.timeZone}, overlap ${out.overlap}, catch-up window ${out.catchupWindow}`,
            ...weekly.map((w) => `${w.outcome} schedule ${w.scheduleId}: weekly RobynMmm, overlap SKIP`),
          ].join('\n'),
        );
      } finally {
        await client.connection.close();
      }
    });
}
