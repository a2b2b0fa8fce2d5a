import * as fs from 'node:fs';
import * as path from 'node:path';
import { randomUUID } from 'node:crypto';
import type { Client, WorkflowHandle } from '@temporalio/client';
import type { NativeConnection } from '@temporalio/worker';
import { LocalObjectStore } from '../../adapters/object-store/local/local-object-store';
import { loadConfig, type Config } from '../../config/config';
import type { ActivityDeps } from '../../lib/deps';
import { openDeps } from '../../lib/open-deps';
import { createLogger } from '../../lib/logger';
import { createDagWorker } from '../../workers/worker';
import { Backfill } from '../../workflows/backfill';
import { NightlyPipeline, type NightlyResult } from '../../workflows/nightly-pipeline';
import { nightlyWorkflowId } from '../../workflows/shared/names';
import { APPROVERS } from '../security/approvers';
import { runWorker, tempDataDir } from '../support/temporal';
import { decideReviews, isAcceptedKind, operationsOf } from './cleaning';
import type { LandingModel, RunRecord } from './model';
import type { Action } from './steps';
import { startChildWorker } from './support/child-worker';

/** The Temporal side of a history: one dev server (jest's global setup, or soak's own). */
export interface HistoryEnv {
  connection: NativeConnection;
  client: Client;
  address: string;
  bundlePath: string;
}

export interface RunOutcome extends RunRecord {
  result?: NightlyResult;
  /** Set when the run did not complete (workflow failed, terminated…): the one-line cause. */
  failure?: string;
  /** The run was interrupted by a SIGKILL of its worker. */
  killed?: boolean;
  /** A run with review: the operations of the plans the person accepted (see cleaning.ts). */
  accepted?: { op: string; check?: string }[][];
}

/**
 * The system under test: a data dir (DuckDB file + landing folder) and a worker on its own task
 * queue, kept across the steps of one history. The worker runs in this process; a kill step
 * hands the data dir to a real child-process worker, SIGKILLs it, and takes it back.
 */
export class SystemUnderTest {
  readonly dataDir = tempDataDir('history-');
  readonly taskQueue = `history-${randomUUID()}`;
  readonly config: Config;
  readonly store: LocalObjectStore;
  private deps?: ActivityDeps;
  private stopWorker?: () => Promise<void>;

  constructor(private readonly env: HistoryEnv) {
    // DAG_APPROVERS: alice and bob may accept cleaning plans (signed), as in production.
    this.config = loadConfig({ DAG_DATA_DIR: this.dataDir, DAG_TASK_QUEUE: this.taskQueue, DAG_LOG_LEVEL: 'error', DAG_APPROVERS: APPROVERS });
    this.store = new LocalObjectStore(this.config.objectStore.kind === 'local' ? this.config.objectStore.root : path.join(this.dataDir, 'objects'));
  }

  get warehouse() {
    if (!this.deps) throw new Error('the system worker is not running');
    return this.deps.warehouse;
  }

  async start(): Promise<void> {
    const deps = await openDeps(this.config);
    this.deps = { ...deps, logger: createLogger({ level: 'error' }) };
    const worker = await createDagWorker({
      connection: this.env.connection,
      deps: this.deps,
      taskQueue: this.taskQueue,
      workflowBundle: { codePath: this.env.bundlePath },
    });
    this.stopWorker = runWorker(worker);
  }

  async stop(): Promise<void> {
    await this.stopWorker?.();
    await this.deps?.warehouse.close();
    this.stopWorker = undefined;
    this.deps = undefined;
  }

  /** Carries out a landing action on the folder the worker reads. */
  async land(action: Extract<Action, { kind: 'put' | 'delete' }>, model: LandingModel): Promise<void> {
    if (action.kind === 'delete') {
      for (const key of action.keys) fs.rmSync(path.join(this.store.root, key), { force: true });
      return;
    }
    const obj = model.objects.get(action.key)!;
    if (action.unaddressable) {
      // The store refuses such names, but other tools write them: put the file there directly.
      const file = path.join(this.store.root, action.key);
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, obj.bytes);
    } else await this.store.put(action.key, obj.bytes);
    if (action.renamedFrom) await this.store.delete(action.renamedFrom);
  }

  /**
   * NightlyPipeline for the date (`retract`: as `dag landing retract` starts it). `review`: a blocking
   * check opens cleaning-<date>, whose plans a person decides (cleaning.ts: accepted when they only
   * quarantine what negative_revenue flags).
   */
  async run(date: string, opts: { acceptPartial?: boolean; retract?: boolean; review?: boolean } = {}): Promise<RunOutcome> {
    const handle = await this.env.client.workflow.start(NightlyPipeline, {
      taskQueue: this.taskQueue,
      workflowId: nightlyWorkflowId(date),
      args: [{ date, review: !!opts.review, ...(opts.acceptPartial ? { acceptPartial: true } : {}), ...(opts.retract ? { retract: 'all' as const } : {}) }],
    });
    const decided = opts.review ? await decideReviews(this.env.client, handle, date, (s) => (isAcceptedKind(s) ? 'accept' : 'reject')) : undefined;
    return {
      ...(await outcome(date, handle)),
      ...(opts.acceptPartial ? { acceptPartial: true } : {}),
      ...(decided ? { accepted: decided.accepted.map(operationsOf) } : {}),
    };
  }

  async backfill(from: string, to: string): Promise<RunOutcome[]> {
    const result = await this.env.client.workflow.execute(Backfill, {
      taskQueue: this.taskQueue,
      workflowId: `backfill-${randomUUID()}`,
      args: [{ from, to, maxConcurrent: 2 }],
    });
    return Promise.all(result.plan.map((date) => outcome(date, this.env.client.workflow.getHandle(nightlyWorkflowId(date)))));
  }

  /**
   * Runs the date on a child-process worker that SIGKILLs itself right after the first bronze
   * load returned (committed, but Temporal never hears of it), then restarts the in-process
   * worker. `retry`: Temporal retries the lost attempt once its heartbeat times out (1 min);
   * `rerun`: the operator terminates the run and starts the date again.
   */
  async kill(date: string, then: 'retry' | 'rerun'): Promise<RunOutcome> {
    await this.stop();
    const child = await startChildWorker(this.env, {
      DAG_DATA_DIR: this.dataDir,
      DAG_TASK_QUEUE: this.taskQueue,
      DAG_LOG_LEVEL: 'error',
      DAG_APPROVERS: APPROVERS,
      DAG_TEST_SIGKILL_AFTER: 'loadBronzeFile',
    });
    let handle: WorkflowHandle;
    let killed = false;
    try {
      handle = await this.env.client.workflow.start(NightlyPipeline, {
        taskQueue: this.taskQueue,
        workflowId: nightlyWorkflowId(date),
        args: [{ date, review: false }],
      });
      killed = await Promise.race([
        child.exited.then(() => true),
        handle.result().then(
          () => false,
          () => false,
        ),
      ]);
    } finally {
      await child.stop('SIGKILL');
      await this.start();
    }
    if (killed && then === 'rerun') {
      await handle.terminate('history test: the worker was killed; the operator re-runs the date');
      return { ...(await this.run(date)), killed };
    }
    return { ...(await outcome(date, handle)), killed };
  }

  /**
   * Runs of the dates that a run step started by itself (late data: the next day whose sessions
   * continue a changed day, days whose FX rates or orphan verdict changed) — every `nightly-<date>`
   * run that started after the last one the model knows of.
   */
  async reruns(dates: string[], model: LandingModel): Promise<RunOutcome[]> {
    const out: RunOutcome[] = [];
    for (const date of dates) {
      const handle = this.env.client.workflow.getHandle(nightlyWorkflowId(date));
      const d = await handle.describe().catch(() => undefined);
      const known = model.lastRun(date);
      if (!d || d.taskQueue !== this.taskQueue || (known && d.startTime.getTime() <= known.startedAt)) continue;
      out.push(await outcome(date, handle));
    }
    return out;
  }

  async close(): Promise<void> {
    await this.stop();
    fs.rmSync(this.dataDir, { recursive: true, force: true });
  }
}

/** Waits for a nightly run and reads how it ended. */
export async function outcome(date: string, handle: WorkflowHandle): Promise<RunOutcome> {
  let result: NightlyResult | undefined;
  let failure: string | undefined;
  try {
    result = (await handle.result()) as NightlyResult;
  } catch (err) {
    const e = err as Error & { cause?: Error & { cause?: Error } };
    failure = [e.message, e.cause?.message, e.cause?.cause?.message].filter(Boolean).join(': ').split('\n')[0];
  }
  const d = await handle.describe();
  return {
    date,
    workflowId: handle.workflowId,
    startedAt: d.startTime.getTime(),
    closedAt: (d.closeTime ?? new Date()).getTime(),
    status: result?.status ?? 'failed',
    summary: result?.summary ?? failure ?? '',
    result,
    failure,
  };
}
