import * as fs from 'node:fs';
import { randomUUID } from 'node:crypto';
import { Worker } from '@temporalio/worker';
import type { WorkflowHandle } from '@temporalio/client';
import type { ActivityDeps } from '../../lib/deps';
import { openDeps } from '../../lib/open-deps';
import { APPROVERS } from '../security/approvers';
import { createDagWorker } from '../../workers/worker';
import { NightlyPipeline } from '../../workflows/nightly-pipeline';
import { STATE_FILE } from '../support/global-setup';
import { runWorker, testConfig, type TestEnv } from '../support/temporal';
import { scaled } from '../support/time';

export { APPROVERS, keys, signers } from '../security/approvers';

export async function openCleaningDeps(env: Record<string, string> = {}): Promise<ActivityDeps> {
  return openDeps(await testConfig({ DAG_APPROVERS: APPROVERS, ...env }));
}

/** The real worker (every workflow of the test run's bundle, every activity) on `taskQueue` (fresh by default). */
export async function makeCleaningWorker(env: TestEnv, deps: ActivityDeps, taskQueue = `cleaning-${randomUUID()}`) {
  const { bundlePath } = JSON.parse(fs.readFileSync(STATE_FILE, 'utf8')) as { bundlePath: string };
  const worker: Worker = await createDagWorker({ connection: env.connection, deps, taskQueue, workflowBundle: { codePath: bundlePath } });
  return { taskQueue, close: runWorker(worker) };
}

/** Polls the `cleaningPlan` query until plan `version` (or any) awaits a decision. */
export async function awaitingPlan<T extends { status: string; version: number | null }>(
  query: () => Promise<T>,
  version?: number,
  timeoutMs = 90_000,
): Promise<T> {
  const deadline = Date.now() + scaled(timeoutMs);
  for (;;) {
    const state = await query().catch(() => undefined);
    if (state?.status === 'AwaitingApproval' && (version === undefined || state.version === version)) return state;
    if (Date.now() > deadline) throw new Error(`no plan awaited a decision after ${timeoutMs} ms (last: ${JSON.stringify(state)?.slice(0, 300)})`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Starts the nightly for `date` on anomalous demo data: it blocks and opens `cleaning-<date>`, returned once plan v1 awaits. */
export async function blockedNightly(env: TestEnv, taskQueue: string, date: string, rows = 5000, seed = 3) {
  const nightly = await env.client.workflow.start(NightlyPipeline, {
    taskQueue,
    workflowId: `nightly-${date}-${randomUUID().slice(0, 8)}`,
    args: [{ date, generate: { rows, anomalies: true, seed } }],
  });
  const review: WorkflowHandle = env.client.workflow.getHandle(`cleaning-${date}`);
  await awaitingPlan(() => review.query<{ status: string; version: number | null }>('cleaningPlan'), 1);
  return { nightly, review };
}
