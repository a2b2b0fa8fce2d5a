import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { WorkflowFailedError, type WorkflowHandleWithFirstExecutionRunId } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import { LocalJobState } from '../../adapters/launcher/local/local-job-state';
import { LocalProcessLauncher } from '../../adapters/launcher/local/local-process-launcher';
import type { ActivityDeps } from '../../lib/deps';
import { RobynMmm, robynMmmWorkflowId, type RobynMmmInput } from '../../workflows/robyn-mmm';
import { robynScheduleOptions } from '../../temporal/schedules';
import { freshDeps } from '../support/fixtures';
import { createTestEnv, testConfig, type TestEnv } from '../support/temporal';
import { demoSource, fakeRunner, makeMmmWorker, putDemoCsv } from './support';
import { scaled } from '../support/time';

// Launching and following, with a fake runner honouring the runner contract (Robyn is not the
// point here): failure, cancellation, and a worker restart while the job runs.
let env: TestEnv;
let deps: ActivityDeps;
beforeAll(async () => {
  env = await createTestEnv();
  deps = await freshDeps();
  await putDemoCsv(deps);
}, 60_000);
afterAll(async () => {
  await deps?.warehouse.close();
  await env?.close();
});

const INPUT: RobynMmmInput = { source: demoSource, from: '2016-01-04', to: '2018-12-31', iterations: 10, trials: 1 };
type Handle = WorkflowHandleWithFirstExecutionRunId<typeof RobynMmm>;
const start = (taskQueue: string, input: RobynMmmInput = INPUT): Promise<Handle> =>
  env.client.workflow.start(RobynMmm, { taskQueue, workflowId: `robyn-mmm-test-${randomUUID()}`, args: [input] });
const outputDir = (h: Handle) => path.join(fileURLToPath(deps.store.uri(`mmm/runs/${h.firstExecutionRunId}/`)), 'output');
const jobState = (h: Handle) => new LocalJobState(path.join(deps.config.dataDir, 'jobs'), `robyn-${h.workflowId}-${h.firstExecutionRunId}`);
const starts = (h: Handle) =>
  fs
    .readFileSync(path.join(outputDir(h), 'starts.log'), 'utf8')
    .trim()
    .split('\n')
    .map(Number);
const runRow = async (h: Handle) =>
  (await deps.warehouse.query(`select status, message, job_id, launcher from mmm.runs where run_id = $id`, { id: h.firstExecutionRunId }))[0];

/** The runRobynJob heartbeat the UI shows, once it reports progress. */
async function heartbeat(h: Handle, until: (d: Record<string, unknown>) => boolean): Promise<Record<string, unknown>> {
  for (let i = 0; i < scaled(300); i++) {
    const { raw } = await h.describe();
    const pending = raw.pendingActivities?.find((a) => a.activityType?.name === 'runRobynJob');
    const payload = pending?.heartbeatDetails?.payloads?.[0];
    const details = payload ? defaultPayloadConverter.fromPayload<Record<string, unknown>>(payload) : undefined;
    if (details && until(details)) return details;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('no matching runRobynJob heartbeat within 30 s');
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return !fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.startsWith('Z');
  } catch {
    return false;
  }
}

test('a runner exiting non-zero fails the workflow once, with its exit code and stderr, recorded in mmm.runs', async () => {
  const taskQueue = `mmm-${randomUUID()}`;
  const w = await makeMmmWorker(env, deps, taskQueue, { runnerCommand: fakeRunner(0.5, 1) });
  try {
    const h = await start(taskQueue);
    const err = await h.result().catch((e) => e);
    expect(err).toBeInstanceOf(WorkflowFailedError);
    expect(err.cause.cause).toMatchObject({ type: 'RobynJobFailed', nonRetryable: true });
    expect(err.cause.cause.message).toMatch(
      /^Robyn job robyn-robyn-mmm-test-.* \(local \d+\) failed with exit code 1: runner exited with code 1\nfake-runner: failing on purpose with exit code 1$/,
    );
    expect(starts(h)).toHaveLength(1);
    expect(await runRow(h)).toMatchObject({ status: 'failed', launcher: 'local', message: err.cause.cause.message });
  } finally {
    await w.stop();
  }
}, 60_000);

test('cancelling the workflow stops the job (SIGTERM to the runner) before the workflow ends cancelled', async () => {
  const taskQueue = `mmm-${randomUUID()}`;
  const w = await makeMmmWorker(env, deps, taskQueue, { runnerCommand: fakeRunner(120) });
  try {
    const h = await start(taskQueue);
    const details = await heartbeat(h, (d) => d.state === 'running' && Number(d.progress) > 0);
    expect(details).toMatchObject({ jobId: `robyn-${h.workflowId}-${h.firstExecutionRunId}`, launcher: 'local', state: 'running' });
    const [pid] = starts(h);
    expect(alive(pid)).toBe(true);
    await h.cancel();
    const err = await h.result().catch((e) => e);
    expect(err).toBeInstanceOf(WorkflowFailedError);
    expect(err.cause.name).toBe('CancelledFailure');
    // WAIT_CANCELLATION_COMPLETED: by the time the workflow is cancelled the job is stopped.
    expect(alive(pid)).toBe(false);
    expect(fs.readFileSync(path.join(outputDir(h), 'stops.log'), 'utf8')).toBe('SIGTERM\n');
    const state = jobState(h);
    const status = await new LocalProcessLauncher(path.join(deps.config.dataDir, 'jobs')).status({
      launcher: 'local',
      jobId: state.jobId,
      ref: String(state.readPid('wrapper.pid')),
    });
    expect(status.state).toBe('cancelled');
    expect(await runRow(h)).toMatchObject({ status: 'cancelled' });
  } finally {
    await w.stop();
  }
}, 60_000);

test('a job past its timeout is stopped by the launcher and the run ends timed_out', async () => {
  const taskQueue = `mmm-${randomUUID()}`;
  const w = await makeMmmWorker(env, deps, taskQueue, { runnerCommand: fakeRunner(120) });
  try {
    const h = await start(taskQueue, { ...INPUT, timeoutMinutes: 0.05 });
    const err = await h.result().catch((e) => e);
    expect(err.cause.cause).toMatchObject({ type: 'RobynJobTimedOut', nonRetryable: true });
    expect(err.cause.cause.message).toMatch(/^Robyn job .* \(local \d+\) timed out: timed out after 3s; runner stopped$/);
    expect(alive(starts(h)[0])).toBe(false);
    expect(await runRow(h)).toMatchObject({ status: 'timed_out' });
  } finally {
    await w.stop();
  }
}, 60_000);

test('a worker restart while following re-attaches to the same job: one runner process, activity done on attempt 2', async () => {
  const taskQueue = `mmm-${randomUUID()}`;
  const first = await makeMmmWorker(env, deps, taskQueue, { runnerCommand: fakeRunner(6) });
  const h = await start(taskQueue);
  await heartbeat(h, (d) => d.state === 'running' && Number(d.progress) > 0);
  await first.stop(); // the activity is cancelled by the shutdown, which must leave the job running
  const [pid] = starts(h);
  expect(alive(pid)).toBe(true);
  const second = await makeMmmWorker(env, deps, taskQueue, { runnerCommand: fakeRunner(6) });
  try {
    const err = await h.result().catch((e) => e);
    // The fake runner writes no model summary: the job's success is followed to collection, which says so.
    expect(err.cause.cause).toMatchObject({ type: 'RobynOutputMissing' });
    expect(err.cause.cause.message).toMatch(/^the runner succeeded but wrote no file:\/\/.*\/output\/model_summary\.json$/);
    expect(starts(h)).toEqual([pid]);
    expect(jobState(h).readJson('exit.json')).toMatchObject({ exitCode: 0, reason: null });
    const events = (await h.fetchHistory()).events ?? [];
    const follow = events.find((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'runRobynJob')!;
    const started = events.find((e) => String(e.activityTaskStartedEventAttributes?.scheduledEventId) === String(follow.eventId));
    expect(started?.activityTaskStartedEventAttributes?.attempt).toBe(2);
    expect(events.some((e) => String(e.activityTaskCompletedEventAttributes?.scheduledEventId) === String(follow.eventId))).toBe(true);
  } finally {
    await second.stop();
  }
}, 90_000);

test('bad input and a {} start: clear messages; {} means the gold source over the last 104 complete weeks', async () => {
  const taskQueue = `mmm-${randomUUID()}`;
  const w = await makeMmmWorker(env, deps, taskQueue, { runnerCommand: fakeRunner(1) });
  try {
    const typo = { country: 'germany', itertions: 5, source: { kind: 'table', table: 'x; drop table y' } } as unknown as RobynMmmInput;
    const bad = await (await start(taskQueue, typo)).result().catch((e) => e);
    expect(bad.cause.message).toMatch(
      /^RobynMmm input: country: must be a two-letter country code like DE; source.table: must be a table name like schema.table .*; source.variables: .*; unknown key "itertions"$/,
    );
    const h = await start(taskQueue, {});
    const err = await h.result().catch((e) => e);
    const due = (await h.describe()).startTime;
    const monday = new Date(Date.UTC(due.getUTCFullYear(), due.getUTCMonth(), due.getUTCDate() - ((due.getUTCDay() + 6) % 7)));
    const day = (offset: number) => new Date(monday.getTime() + offset * 86400_000).toISOString().slice(0, 10);
    expect(err.cause.cause).toMatchObject({ type: 'InvalidDataset', nonRetryable: true });
    expect(err.cause.cause.message).toBe(
      `MMM dataset gold for DE ${day(-728)}..${day(-1)} is not usable (1 problem): 1) gold.daily_kpis does not exist yet: run the NightlyPipeline first, or give a table or csv source`,
    );
  } finally {
    await w.stop();
  }
}, 60_000);

test('a scheduled run while a manual run holds robyn-mmm-<country> is refused and launches nothing; later it runs under that id', async () => {
  const taskQueue = `mmm-${randomUUID()}`;
  const country = 'NO';
  const w = await makeMmmWorker(env, deps, taskQueue, { runnerCommand: fakeRunner(3) });
  const opts = robynScheduleOptions(await testConfig({ DAG_TASK_QUEUE: taskQueue }), { country });
  const schedule = await env.client.schedule.create({
    ...opts,
    scheduleId: `robyn-test-${randomUUID()}`,
    state: { paused: true },
    action: { ...opts.action, taskQueue, args: [{ ...INPUT, country }] } as typeof opts.action,
  });
  try {
    const manual = await env.client.workflow.start(RobynMmm, {
      taskQueue,
      workflowId: robynMmmWorkflowId(country),
      workflowIdConflictPolicy: 'FAIL',
      args: [{ ...INPUT, country }],
    });
    await heartbeat(manual, () => true); // the manual run's job is being followed
    const fire = async (n: number) => {
      await schedule.trigger();
      let id: string | undefined;
      for (let i = 0; i < scaled(100) && !id; i++) {
        id = (await schedule.describe()).info.recentActions[n]?.action.workflow.workflowId;
        if (!id) await new Promise((r) => setTimeout(r, 100));
      }
      return env.client.workflow.getHandle<typeof RobynMmm>(id!);
    };
    const refused = await fire(0);
    const err = await refused.result().catch((e) => e);
    expect(err).toBeInstanceOf(WorkflowFailedError);
    expect(err.cause).toMatchObject({
      type: 'AlreadyRunning',
      nonRetryable: true,
      message: `refused: RobynMmm for ${country} is already running as robyn-mmm-${country} (one run per country at a time); this scheduled run launched nothing`,
    });
    expect((await refused.describe()).searchAttributes.PipelineStatus).toEqual(['refused']);
    // The fake runner writes no model summary, so every run that gets as far as its job ends
    // RobynOutputMissing: what matters is who ran a job — only runs under robyn-mmm-<country>.
    const outputMissing = (e: unknown) => (e as { cause?: { cause?: { type?: string } } }).cause?.cause?.type;
    expect(outputMissing(await manual.result().catch((e) => e))).toBe('RobynOutputMissing');
    const runs = () =>
      deps.warehouse.query<{ workflow_id: string; run_id: string }>(`select workflow_id, run_id from mmm.runs where country = $c order by finished_at`, {
        c: country,
      });
    expect(await runs()).toEqual([{ workflow_id: robynMmmWorkflowId(country), run_id: manual.firstExecutionRunId }]);

    // With the country free again, the schedule's run goes ahead as the child robyn-mmm-<country>.
    const laterErr = await (await fire(1)).result().catch((e) => e);
    expect(laterErr.cause).toMatchObject({ name: 'ChildWorkflowFailure', execution: { workflowId: robynMmmWorkflowId(country) } });
    const after = await runs();
    expect(after.map((r) => r.workflow_id)).toEqual([robynMmmWorkflowId(country), robynMmmWorkflowId(country)]);
    expect(after[1].run_id).toBe(laterErr.cause.execution.runId);
  } finally {
    await schedule.delete();
    await w.stop();
  }
}, 120_000);

/** Scales waits on a busy machine (DAG_TEST_TIME_FACTOR, default 1). */
const TIME_FACTOR = Number(process.env.DAG_TEST_TIME_FACTOR ?? 1);

test('with the SDK throttle as in production: progress shows within ~10 s and every 15 s; a cancel stops the job within 15 s; mmm.runs says who cancelled and when', async () => {
  const taskQueue = `mmm-${randomUUID()}`;
  const w = await makeMmmWorker(env, deps, taskQueue, { runnerCommand: fakeRunner(120), workerHeartbeats: 'production' });
  try {
    const h = await start(taskQueue);
    // What the UI shows: the pending runRobynJob's heartbeat details, sampled every 200 ms.
    const seen: { at: number; progress: number }[] = [];
    let startedAt: number | undefined;
    const deadline = Date.now() + 90_000 * TIME_FACTOR;
    while (Date.now() < deadline && seen.length < 4) {
      const { raw } = await h.describe();
      const pending = raw.pendingActivities?.find((a) => a.activityType?.name === 'runRobynJob');
      startedAt ??= pending?.lastStartedTime
        ? Number(pending.lastStartedTime.seconds) * 1000 + Math.floor((pending.lastStartedTime.nanos ?? 0) / 1e6)
        : undefined;
      const payload = pending?.heartbeatDetails?.payloads?.[0];
      const details = payload ? defaultPayloadConverter.fromPayload<{ progress?: number }>(payload) : undefined;
      if (details?.progress !== undefined && details.progress !== seen.at(-1)?.progress) seen.push({ at: Date.now(), progress: details.progress });
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(seen.length).toBe(4);
    expect(seen[0].at - startedAt!).toBeLessThan(12_000 * TIME_FACTOR);
    for (let i = 1; i < seen.length; i++) expect(seen[i].at - seen[i - 1].at).toBeLessThan(15_000 * TIME_FACTOR);
    expect(seen.map((s) => s.progress)).toEqual([...seen.map((s) => s.progress)].sort((a, b) => a - b));

    const [pid] = starts(h);
    const askedAt = Date.now();
    await h.cancel();
    const stopsLog = path.join(outputDir(h), 'stops.log');
    while (!fs.existsSync(stopsLog) && Date.now() < askedAt + 60_000 * TIME_FACTOR) await new Promise((r) => setTimeout(r, 100));
    expect(Date.now() - askedAt).toBeLessThan(15_000 * TIME_FACTOR);
    expect(fs.readFileSync(stopsLog, 'utf8')).toBe('SIGTERM\n');
    expect((await h.result().catch((e) => e)).cause.name).toBe('CancelledFailure');
    expect(alive(pid)).toBe(false);

    const [row] = await deps.warehouse.query<{ status: string; message: string; cancelled_by: string; cancelled_at: string }>(
      `select status, message, cancelled_by, strftime(cancelled_at, '%Y-%m-%dT%H:%M:%S.%g') || 'Z' as cancelled_at from mmm.runs where run_id = $id`,
      { id: h.firstExecutionRunId },
    );
    expect(row).toMatchObject({ status: 'cancelled', cancelled_by: env.client.options.identity });
    expect(Math.abs(Date.parse(row.cancelled_at) - askedAt)).toBeLessThan(5_000 * TIME_FACTOR);
    expect(row.message).toBe(`cancelled by ${env.client.options.identity} at ${new Date(Date.parse(row.cancelled_at)).toISOString()}`);
  } finally {
    await w.stop();
  }
}, 240_000);
