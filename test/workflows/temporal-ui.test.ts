import { randomUUID } from 'node:crypto';
import type { WorkflowHandle } from '@temporalio/client';
import type { temporal } from '@temporalio/proto';
import { nightlyScheduleOptions } from '../../temporal/schedules';
import type { NightlyPipeline } from '../../workflows/nightly-pipeline';
import { blockedNightly } from '../cleaning/support';
import { createTestEnv, type TestEnv, type TestWorker } from '../support/temporal';
import { APPROVERS } from '../security/approvers';
import { scaled } from '../support/time';

/**
 * What an engineer sees in the Temporal Web UI: current details it can render (Markdown, a narrow
 * panel: no "9/9", which becomes a fraction glyph; short lines), a summary on every activity and
 * timer of the timeline, and a scheduled run that carries its partition's search attributes.
 */

let env: TestEnv;
let worker: TestWorker;

beforeAll(async () => {
  env = await createTestEnv();
  worker = await env.makeWorker({ env: { DAG_APPROVERS: APPROVERS } });
}, scaled(120_000));
afterAll(async () => {
  await worker?.close();
  await env?.close();
});

const decode = (p?: temporal.api.common.v1.IPayload | null): string | undefined =>
  p?.data ? (JSON.parse(Buffer.from(p.data).toString()) as string) : undefined;

const details = async (h: WorkflowHandle) => (await h.query<{ currentDetails: string }>('__temporal_workflow_metadata')).currentDetails;

/** Every scheduled activity and started timer of the run's history, with its summary (undefined when it has none). */
async function timeline(h: WorkflowHandle): Promise<{ kind: string; name: string; summary: string | undefined }[]> {
  const events = (await h.fetchHistory()).events ?? [];
  return events.flatMap((e) => {
    if (e.activityTaskScheduledEventAttributes)
      return [{ kind: 'activity', name: e.activityTaskScheduledEventAttributes.activityType?.name ?? '?', summary: decode(e.userMetadata?.summary) }];
    if (e.timerStartedEventAttributes) return [{ kind: 'timer', name: e.timerStartedEventAttributes.timerId ?? '?', summary: decode(e.userMetadata?.summary) }];
    return [];
  });
}

function expectReadableDetails(text: string) {
  expect(text).not.toMatch(/\d\/\d/);
  expect(text.split('\n').filter((line) => line.length > 120)).toEqual([]);
}

test(
  'a scheduled nightly: the wrapper carries PartitionDate and PipelineStatus; the child’s details are short Markdown lines; every activity has a summary',
  async () => {
    const opts = nightlyScheduleOptions(worker.config);
    const schedule = await env.client.schedule.create({
      ...opts,
      scheduleId: `ui-nightly-${randomUUID()}`,
      action: {
        ...opts.action,
        taskQueue: worker.taskQueue,
        args: [{ generate: { rows: 800, anomalies: false, seed: 4 }, review: false }],
      } as typeof opts.action,
      state: { paused: true },
    });
    try {
      await schedule.trigger();
      let id: string | undefined;
      while (!(id = (await schedule.describe()).info.recentActions[0]?.action.workflow.workflowId)) await new Promise((r) => setTimeout(r, 200));
      const wrapper = env.client.workflow.getHandle<typeof NightlyPipeline>(id);
      const result = await wrapper.result();
      expect(result.status).toBe('succeeded');
      expect((await wrapper.describe()).searchAttributes).toMatchObject({ PartitionDate: [result.date], PipelineStatus: ['succeeded'] });
      expect(await details(wrapper)).toBe(`**partition ${result.date} (scheduled)**\n\n- ran as nightly-${result.date}: succeeded`);

      const child = env.client.workflow.getHandle(`nightly-${result.date}`);
      const text = await details(child);
      expect(text.split('\n').slice(0, 3)).toEqual([`**partition ${result.date}**`, '', '- status: succeeded']);
      expect(text).toMatch(/^- \d+ of \d+ silver checks passed$/m);
      expectReadableDetails(text);
      const steps = await timeline(child);
      expect(steps.map((s) => s.name)).toEqual(expect.arrayContaining(['reconcileLanding', 'planModels', 'recordPipelineRun']));
      expect(steps.filter((s) => !s.summary)).toEqual([]);
    } finally {
      await schedule.delete();
    }
  },
  scaled(240_000),
);

test(
  'a cleaning review: every cleaning activity and the approval timer have a summary; the round’s details list the failing checks',
  async () => {
    const date = '2026-06-02';
    const { nightly, review } = await blockedNightly(env, worker.taskQueue, date, 3000);
    try {
      const text = await details(review);
      expect(text).toMatch(/^\*\*partition 2026-06-02: plan v1 awaiting approval\*\*\n\n- failing: [a-z_, ]+\n- \d+ operations, judge: \w+\n/);
      expectReadableDetails(text.split('\nlast ignored')[0]);
      const steps = await timeline(review);
      expect(steps.map((s) => s.name)).toEqual(
        expect.arrayContaining([
          'getCleaningApprovalPolicy',
          'profileFailingChecks',
          'proposeCleaningPlan',
          'dryRunCleaningPlan',
          'judgeCleaningPlan',
          'recordCleaningAudit',
        ]),
      );
      expect(steps.filter((s) => !s.summary)).toEqual([]);
      expect(steps.filter((s) => s.kind === 'timer').map((s) => s.summary)).toContainEqual(
        expect.stringMatching(/^approval deadline: rejected automatically at \d{4}-/),
      );
    } finally {
      await nightly.terminate('test done');
      await review.terminate('test done').catch(() => undefined);
    }
  },
  scaled(300_000),
);
