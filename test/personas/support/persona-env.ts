import * as path from 'node:path';
import { randomUUID } from 'node:crypto';
import { Worker } from '@temporalio/worker';
import { openDeps } from '../../../lib/open-deps';
import type { ActivityDeps } from '../../../lib/deps';
import { bootstrapPersonaTables, importVendorFile } from '../../../activities/personas/import-vendor';
import { createNotifyActivities } from '../../../activities/notify';
import { createRunActivities } from '../../../activities/runs';
import { createPersonaActivities } from '../../../activities/personas';
import { generateSurveyParticipants, loadSurveyParticipants } from '../../../activities/personas/participants';
import { labelParticipants } from '../../../activities/personas/label';
import type { ParticipantOptions } from '../../../generator/personas';
import { runWorker, testConfig, type TestEnv } from '../../support/temporal';
import { scaled } from '../../support/time';

export const VENDOR_FIXTURE = path.resolve(__dirname, '../../fixtures/personas/vendor-personas.csv');

/** A fresh data dir (DuckDB file + object store) with the persona tables, optionally with the vendor model imported. */
export async function openPersonaDeps(opts: { env?: Record<string, string>; importVendor?: boolean } = {}): Promise<ActivityDeps> {
  const deps = await openDeps(await testConfig(opts.env));
  await bootstrapPersonaTables(deps.warehouse);
  if (opts.importVendor ?? true) await importVendorFile(deps, VENDOR_FIXTURE);
  return deps;
}

/** Generates, loads and labels one day (what PersonaLabeling does before drift). */
export async function landDay(deps: ActivityDeps, opts: Omit<ParticipantOptions, 'seed'> & { seed?: number }) {
  await generateSurveyParticipants(deps, { seed: 7, ...opts });
  await loadSurveyParticipants(deps, { date: opts.date });
  return labelParticipants(deps, { date: opts.date });
}

/**
 * A worker running only the persona workflows and activities, on its own task queue, for the
 * real dev server of the test run (bundled here, since workflows/index.ts does not list them yet).
 */
export async function makePersonaWorker(env: TestEnv, deps: ActivityDeps) {
  const taskQueue = `personas-${randomUUID()}`;
  const worker = await Worker.create({
    connection: env.connection,
    taskQueue,
    workflowsPath: require.resolve('./workflows'),
    // RetrainPersonas tells approvers a model awaits them (approval notices) and records how each run
    // ended (ops.workflow_runs): the worker runs those activities too.
    activities: { ...createPersonaActivities(deps), ...createNotifyActivities(deps), ...createRunActivities(deps) },
    bundlerOptions: { ignoreModules: [] },
  });
  return { taskQueue, close: runWorker(worker) };
}

/** Polls a workflow's approval query until it awaits a decision (the candidate is trained). */
export async function awaitingDecision<T extends { status: string; version: number | null }>(query: () => Promise<T>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + scaled(timeoutMs);
  for (;;) {
    const state = await query().catch(() => undefined);
    if (state?.status === 'AwaitingApproval') return state;
    if (Date.now() > deadline) throw new Error(`no decision awaited after ${timeoutMs} ms (last state: ${JSON.stringify(state)})`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
