import { randomUUID } from 'node:crypto';
import * as os from 'node:os';
import * as path from 'node:path';
import { WorkflowFailedError } from '@temporalio/client';
import { createLauncher } from '../../adapters/launcher';
import { ConfigError, loadConfig } from '../../config/config';
import type { ActivityDeps } from '../../lib/deps';
import { CONTAINER_FOLLOW, LLM_CALL, LONG_SQL, SHORT } from '../../workflows/shared/activity-options';
import { RobynMmm } from '../../workflows/robyn-mmm';
import { demoSource, makeMmmWorker, putDemoCsv } from '../mmm/support';
import { freshDeps } from '../support/fixtures';
import { createTestEnv, type TestEnv } from '../support/temporal';
import { waitFor } from '../support/time';
import { completedAttempts } from './support/observe';

/**
 * A misconfigured launcher is a configuration error: non-retryable, one attempt, one clear
 * message — not 3 h 15 min of retries. And every activity kind's retries are bounded.
 */
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

test('DAG_LAUNCHER=cloudrun without DAG_CLOUD_RUN_JOB is a ConfigError', () => {
  const config = loadConfig({ DAG_DATA_DIR: os.tmpdir(), DAG_LAUNCHER: 'cloudrun' }, '/');
  const err = (() => {
    try {
      createLauncher(config, config.dataDir);
    } catch (e) {
      return e;
    }
  })();
  expect(err).toBeInstanceOf(ConfigError);
  expect((err as Error).message).toBe('configuration: DAG_CLOUD_RUN_JOB is required when DAG_LAUNCHER=cloudrun');
});

test.each([
  ['cloudrun without DAG_CLOUD_RUN_JOB', 'cloudrun', /^configuration: DAG_CLOUD_RUN_JOB is required when DAG_LAUNCHER=cloudrun$/],
  ['docker without an engine', 'docker', /^configuration: DAG_LAUNCHER=docker but no Docker engine answers at unix:\/\/\S*no-engine-[\w-]+\.sock \(ENOENT\)/],
] as const)('RobynMmm with %s fails after one attempt with the configuration message', async (_what, launcher, message) => {
  const dockerHost = process.env.DOCKER_HOST;
  process.env.DOCKER_HOST = `unix://${path.join(os.tmpdir(), `no-engine-${randomUUID()}.sock`)}`;
  const taskQueue = `config-errors-${randomUUID()}`;
  const w = await makeMmmWorker(env, deps, taskQueue, {});
  try {
    const h = await env.client.workflow.start(RobynMmm, {
      taskQueue,
      workflowId: `config-errors-${randomUUID()}`,
      args: [{ source: demoSource, from: '2016-01-04', to: '2018-12-31', iterations: 10, trials: 1, launcher }],
    });
    // Bounded: a retried config error would keep the run open for hours.
    await waitFor('the run to end', async () => (await h.describe()).status.name !== 'RUNNING', { timeoutMs: 90_000 });
    const err = await h.result().catch((e) => e);
    expect(err).toBeInstanceOf(WorkflowFailedError);
    expect(err.cause.cause).toMatchObject({ type: 'ConfigError', nonRetryable: true });
    expect(err.cause.cause.message).toMatch(message);
    const events = (await h.fetchHistory()).events ?? [];
    expect(events.filter((e) => e.activityTaskFailedEventAttributes).length).toBe(1);
    expect(await completedAttempts(h, 'runRobynJob')).toEqual([]);
    // The follower's policy as the server has it: bounded.
    const follow = events.find((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'runRobynJob');
    expect(follow?.activityTaskScheduledEventAttributes?.retryPolicy?.maximumAttempts).toBe(30);
  } finally {
    await w.stop();
    if (dockerHost === undefined) delete process.env.DOCKER_HOST;
    else process.env.DOCKER_HOST = dockerHost;
  }
});

test('every activity kind has bounded attempts and never retries configuration or input errors', () => {
  expect(
    Object.fromEntries(
      Object.entries({ SHORT, LONG_SQL, LLM_CALL, CONTAINER_FOLLOW }).map(([k, o]) => [k, [o.retry?.maximumAttempts, o.retry?.maximumInterval]]),
    ),
  ).toEqual({ SHORT: [6, '1m'], LONG_SQL: [6, '1m'], LLM_CALL: [5, '1m'], CONTAINER_FOLLOW: [30, '1m'] });
  for (const o of [SHORT, LONG_SQL, LLM_CALL, CONTAINER_FOLLOW])
    expect(o.retry?.nonRetryableErrorTypes).toEqual(expect.arrayContaining(['ConfigError', 'InvalidInput', 'SqlError']));
  expect([SHORT, LONG_SQL].map((o) => [o.startToCloseTimeout, o.heartbeatTimeout])).toEqual([
    ['2 minutes', undefined],
    ['2 hours', '1 minute'],
  ]);
});
