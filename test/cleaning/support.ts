import { randomUUID } from 'node:crypto';
import { bundleWorkflowCode, Worker } from '@temporalio/worker';
import { createActivities } from '../../activities';
import { createCleaningActivities } from '../../activities/cleaning';
import type { ActivityDeps } from '../../lib/deps';
import { openDeps } from '../../lib/open-deps';
import { quietLogger, runWorker, testConfig, type TestEnv } from '../support/temporal';

let bundle: Promise<{ code: string }> | undefined;

/** The test workflow index bundled once per test file. */
export function cleaningBundle(): Promise<{ code: string }> {
  return (bundle ??= bundleWorkflowCode({ workflowsPath: require.resolve('./workflows'), logger: quietLogger }));
}

export async function openCleaningDeps(env: Record<string, string> = {}): Promise<ActivityDeps> {
  return openDeps(await testConfig({ DAG_APPROVERS: 'alice,bob', ...env }));
}

/** A worker with every pipeline activity plus the cleaning ones, on `taskQueue` (fresh by default). */
export async function makeCleaningWorker(env: TestEnv, deps: ActivityDeps, taskQueue = `cleaning-${randomUUID()}`) {
  const worker = await Worker.create({
    connection: env.connection,
    taskQueue,
    workflowBundle: await cleaningBundle(),
    activities: { ...createActivities(deps), ...createCleaningActivities(deps) },
  });
  return { taskQueue, close: runWorker(worker) };
}

/** Polls the `cleaningPlan` query until plan `version` (or any) awaits a decision. */
export async function awaitingPlan<T extends { status: string; version: number | null }>(
  query: () => Promise<T>,
  version?: number,
  timeoutMs = 90_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const state = await query().catch(() => undefined);
    if (state?.status === 'AwaitingApproval' && (version === undefined || state.version === version)) return state;
    if (Date.now() > deadline) throw new Error(`no plan awaited a decision after ${timeoutMs} ms (last: ${JSON.stringify(state)?.slice(0, 300)})`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
