import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleWorkflowCode, Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { createActivities } from '../../activities';
import { createMmmActivities } from '../../activities/mmm';
import type { RobynJobOptions } from '../../activities/mmm/run-robyn-job';
import type { MmmVariables } from '../../activities/mmm/variables';
import type { ActivityDeps } from '../../lib/deps';
import { failFastOnPermanentErrors } from '../../lib/errors';
import { quietLogger, runWorker, type TestEnv } from '../support/temporal';
import { fastDeadAttempts } from '../support/workflow-bundle';

/** Meta's public Robyn demo data (weekly, 2015-11-23..2019-11-11). */
export const DEMO_CSV = path.resolve(__dirname, '../../../shared/data/robyn/dt_simulated_weekly.csv');
export const DEMO_KEY = 'mmm/uploads/dt_simulated_weekly.csv';
export const DEMO_VARIABLES: MmmVariables = {
  date: 'DATE',
  depVar: 'revenue',
  depVarType: 'revenue',
  paidMediaSpends: ['tv_S', 'ooh_S', 'print_S', 'facebook_S', 'search_S'],
  paidMediaVars: ['tv_S', 'ooh_S', 'print_S', 'facebook_I', 'search_clicks_P'],
  contextVars: ['competitor_sales_B', 'events'],
  organicVars: ['newsletter'],
  factorVars: ['events'],
};
export const demoSource = { kind: 'csv' as const, key: DEMO_KEY, variables: DEMO_VARIABLES };

export const FAKE_RUNNER = path.join(__dirname, 'fixtures', 'fake-runner.js');
export const fakeRunner = (seconds: number, exitCode = 0) => [process.execPath, FAKE_RUNNER, '--seconds', String(seconds), '--exit', String(exitCode)];

export async function putDemoCsv(deps: ActivityDeps): Promise<void> {
  await deps.store.put(DEMO_KEY, fs.readFileSync(DEMO_CSV));
}

let bundle: Promise<WorkflowBundleWithSourceMap> | undefined;

/**
 * A worker with the project's activities plus the MMM ones (runner command of the test's
 * choosing) on `taskQueue`; heartbeats reach the server within a second so cancellation does too
 * — unless `workerHeartbeats: 'production'`, which keeps the SDK's throttle as `dag worker` has it.
 */
export async function makeMmmWorker(
  env: TestEnv,
  deps: ActivityDeps,
  taskQueue: string,
  opts: RobynJobOptions & { workerHeartbeats?: 'fast' | 'production' },
): Promise<{ worker: Worker; stop: () => Promise<void> }> {
  bundle ??= bundleWorkflowCode({ workflowsPath: require.resolve('./workflows'), logger: quietLogger, webpackConfigHook: fastDeadAttempts });
  const worker = await Worker.create({
    connection: env.connection,
    taskQueue,
    workflowBundle: await bundle,
    activities: { ...createActivities(deps), ...failFastOnPermanentErrors(createMmmActivities(deps, { pollIntervalMs: 250, ...opts })) },
    ...(opts.workerHeartbeats === 'production' ? {} : { maxHeartbeatThrottleInterval: '1s' }),
    shutdownGraceTime: '1s',
  });
  return { worker, stop: runWorker(worker) };
}

/** The run folder's output directory on the local object store. */
export const outputDir = (runUri: string) => path.join(fileURLToPath(runUri), 'output');
