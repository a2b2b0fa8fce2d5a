import { randomUUID } from 'node:crypto';
import { NightlyPipeline } from '../../workflows';
import type { NightlyResult } from '../../workflows/nightly-pipeline';
import { nightlyWorkflowId } from '../../workflows/shared/names';
import { addDays } from '../../lib/dates';
import { nightlyScheduleOptions } from '../../temporal/schedules';
import { createTestEnv, type TestEnv, type TestWorker } from '../support/temporal';
import { waitUntilRunning } from './support/observe';
import { scaled } from '../support/time';

/**
 * Two nightly runs for one date at once — the schedule fires while an engineer's manual run
 * (`nightly-<date>`, as `dag run nightly` starts it) is still loading. Decision: the partition
 * has ONE writer, the workflow with id `nightly-<date>`; a scheduled run (whose id the schedule
 * chooses) runs its date under that id, so while a manual run holds it the scheduled one is
 * refused (status "refused", nothing written) instead of writing the same partition twice.
 */
let env: TestEnv;
let w: TestWorker;
beforeAll(async () => {
  env = await createTestEnv();
  w = await env.makeWorker();
});
afterAll(async () => {
  await w?.close();
  await env?.close();
});

test('a scheduled run for a date a manual run is processing is refused; only the manual run writes; later it runs as nightly-<date>', async () => {
  const date = addDays(new Date().toISOString().slice(0, 10), -1); // what a schedule firing now processes
  const manual = await env.client.workflow.start(NightlyPipeline, {
    taskQueue: w.taskQueue,
    workflowId: nightlyWorkflowId(date),
    workflowIdConflictPolicy: 'FAIL',
    args: [{ date, generate: { rows: 20_000, anomalies: false, seed: 8 } }],
  });
  await waitUntilRunning(manual, 'loadBronzeFile');

  const opts = nightlyScheduleOptions(w.config);
  const schedule = await env.client.schedule.create({
    ...opts,
    scheduleId: `nightly-test-${randomUUID()}`,
    action: { ...opts.action, taskQueue: w.taskQueue } as typeof opts.action,
    state: { paused: true },
  });
  try {
    const fire = async (n: number): Promise<NightlyResult> => {
      await schedule.trigger();
      let id: string | undefined;
      for (let i = 0; i < scaled(100) && !id; i++) {
        id = (await schedule.describe()).info.recentActions[n]?.action.workflow.workflowId;
        if (!id) await new Promise((r) => setTimeout(r, 100));
      }
      return (await env.client.workflow.getHandle(id!).result()) as NightlyResult;
    };
    const scheduled = await fire(0);
    expect(scheduled).toMatchObject({ date, status: 'refused' });
    expect(scheduled.summary).toContain(`already running as ${nightlyWorkflowId(date)}`);
    expect((await manual.describe()).status.name).toBe('RUNNING');
    const finished = await manual.result();
    expect(finished.status).toBe('succeeded');
    const writers = await w.deps.warehouse.query<{ wf: string }>(
      `select distinct workflow_id as wf from ops.load_audit where partition_date = cast($d as date)`,
      { d: date },
    );
    expect(writers).toEqual([{ wf: nightlyWorkflowId(date) }]);

    // Once the manual run is done, the schedule's run goes ahead — under the partition's id.
    const later = await fire(1);
    expect(later).toMatchObject({ date, status: 'succeeded' });
    expect(later.loads.every((l) => l.status === 'skipped_same_generation')).toBe(true);
  } finally {
    await schedule.delete();
  }
});
