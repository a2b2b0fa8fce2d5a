import { ScheduleAlreadyRunning, ScheduleOverlapPolicy, type Client, type ScheduleOptions } from '@temporalio/client';
import type { Duration } from '@temporalio/common';
import type { Config } from '../config/config';

export const NIGHTLY_SCHEDULE_ID = 'nightly-pipeline';

/**
 * The nightly schedule, spelled out because the SDK's defaults are easy to misread:
 * - overlap ALLOW_ALL: each run works on its own partition (yesterday of its *scheduled* time,
 *   see NightlyPipeline), so a run still waiting for a cleaning approval never blocks or skips
 *   the next night. (The SDK default, SKIP, would silently drop nights while one waits.)
 * - catchupWindow (default 3 days, DAG_SCHEDULE_CATCHUP): after a server outage, missed nights
 *   inside the window still run, each for its own date; older gaps are for
 *   `dag backfill --only missing`. (The SDK default is one year.)
 * - pauseOnFailure false: one bad partition must not stop the following nights.
 */
export function nightlyScheduleOptions(config: Config): ScheduleOptions {
  return {
    scheduleId: NIGHTLY_SCHEDULE_ID,
    spec: { cronExpressions: [config.schedule.cron], timezone: config.schedule.timeZone },
    action: { type: 'startWorkflow', workflowType: 'NightlyPipeline', taskQueue: config.temporal.taskQueue, args: [{}], workflowId: 'nightly-scheduled' },
    policies: { overlap: ScheduleOverlapPolicy.ALLOW_ALL, catchupWindow: config.schedule.catchupWindow as Duration, pauseOnFailure: false },
    state: { note: `managed by \`dag schedule apply\`: ${config.schedule.cron} ${config.schedule.timeZone}` },
  };
}

export type ApplyOutcome = 'created' | 'updated';

/** Creates the schedule, or updates it in place when it exists (idempotent). */
export async function applySchedule(client: Client, opts: ScheduleOptions): Promise<ApplyOutcome> {
  try {
    await client.schedule.create(opts);
    return 'created';
  } catch (err) {
    if (!(err instanceof ScheduleAlreadyRunning)) throw err;
  }
  await client.schedule.getHandle(opts.scheduleId).update((prev) => ({
    ...prev,
    spec: opts.spec,
    action: opts.action,
    policies: { ...prev.policies, ...opts.policies },
    state: { ...prev.state, note: opts.state?.note },
  }));
  return 'updated';
}

export const robynScheduleId = (country: string) => `robyn-mmm-${country}`;

/**
 * The weekly Robyn MMM of one country (Monday 04:00 UTC by default, after the nightly has
 * published Sunday), one schedule per country:
 * - overlap SKIP: at most one run per country at a time. A run that is still training when the
 *   next week comes due would only be joined by a twin competing for the same CPUs with almost
 *   the same data; skipping it loses nothing, because the next run covers the latest 104 weeks.
 *   (BUFFER_ONE would queue a run that starts late on stale "latest weeks"; ALLOW_ALL breaks
 *   the one-run-per-country rule.)
 * - the action's workflow id `robyn-mmm-<country>` is the one the CLI uses; the server appends
 *   the scheduled time to it, so scheduled runs are told apart while SKIP keeps them one at a time.
 * - catchupWindow 1 day: a Monday missed by an outage still runs that day, older ones do not.
 */
export function robynScheduleOptions(config: Config, opts: { country?: string; cron?: string; timeZone?: string } = {}): ScheduleOptions {
  const country = opts.country ?? 'DE';
  if (!/^[A-Z]{2}$/.test(country)) throw new Error(`country must be a two-letter code like DE, got ${JSON.stringify(country)}`);
  const cron = opts.cron ?? '0 4 * * 1';
  const timeZone = opts.timeZone ?? 'UTC';
  return {
    scheduleId: robynScheduleId(country),
    spec: { cronExpressions: [cron], timezone: timeZone },
    action: { type: 'startWorkflow', workflowType: 'RobynMmm', taskQueue: config.temporal.taskQueue, args: [{ country }], workflowId: `robyn-mmm-${country}` },
    policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '1 day', pauseOnFailure: false },
    state: { note: `managed by \`dag schedule apply\`: weekly Robyn MMM for ${country}, ${cron} ${timeZone}` },
  };
}
