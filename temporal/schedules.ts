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
