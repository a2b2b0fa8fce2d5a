import { ScheduleOverlapPolicy } from '@temporalio/client';
import { applySchedule, robynScheduleOptions } from '../../temporal/schedules';
import { createTestEnv, testConfig, type TestEnv } from '../support/temporal';

let env: TestEnv;
beforeAll(async () => {
  env = await createTestEnv();
});
afterAll(() => env?.close());

test('the weekly MMM schedule per country: Monday 04:00 UTC, overlap SKIP, applied idempotently', async () => {
  const config = await testConfig({ DAG_TASK_QUEUE: 'mmm-schedule-test' });
  const options = robynScheduleOptions(config, { country: 'SE' });
  const handle = env.client.schedule.getHandle('robyn-mmm-SE');
  try {
    expect(await applySchedule(env.client, options)).toBe('created');
    expect((await handle.describe()).spec.calendars?.[0]).toMatchObject({
      minute: [{ start: 0, end: 0 }],
      hour: [{ start: 4, end: 4 }],
      dayOfWeek: [{ start: 'MONDAY', end: 'MONDAY' }],
    });
    expect(await applySchedule(env.client, robynScheduleOptions(config, { country: 'SE', cron: '30 5 * * 1' }))).toBe('updated');
    const d = await handle.describe();
    expect(d.policies).toMatchObject({ overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: 86_400_000, pauseOnFailure: false });
    expect(d.action).toMatchObject({
      type: 'startWorkflow',
      workflowType: 'RobynMmm',
      workflowId: 'robyn-mmm-SE',
      taskQueue: 'mmm-schedule-test',
      args: [{ country: 'SE' }],
    });
    // The server turns cron into calendar specs: 05:30 on Mondays after the update.
    expect(d.spec.calendars?.[0]).toMatchObject({
      minute: [{ start: 30, end: 30 }],
      hour: [{ start: 5, end: 5 }],
      dayOfWeek: [{ start: 'MONDAY', end: 'MONDAY' }],
    });
    expect(d.spec.timezone).toBe('UTC');
  } finally {
    await handle.delete().catch(() => undefined);
  }
  expect(() => robynScheduleOptions(config, { country: 'sweden' })).toThrow('country must be a two-letter code like DE, got "sweden"');
});
