import * as path from 'node:path';
import { randomUUID } from 'node:crypto';
import { Client, Connection, type WorkflowHandle } from '@temporalio/client';
import { tempDataDir } from '../../support/temporal';
import { startChildWorker, testServer } from './child-worker';
import { cleaningRows, completedAttempts, completedResults, tableCounts, waitUntilRunning, type CleaningRows } from './observe';

/**
 * Kill-the-worker harness for fault tests. A workflow runs on a real worker PROCESS
 * (worker-process.ts) with its own data dir and task queue; the process is SIGKILLed either while
 * an activity runs, or right after an activity's first attempt returned — its transaction
 * committed, Temporal not yet told — then a new worker process is started and the workflow must
 * finish. The outcome carries what a test compares with an undisturbed run of the same input.
 *
 *   const killed = await runWithKill({ start, kill: { activity: 'publishGold', afterCommit: true } });
 *   const undisturbed = await runWithKill({ start });
 *   expect(killed.counts).toEqual(undisturbed.counts);
 *   expect(killed.attempts).toEqual([2]);                 // the retry is what completed
 */
export type Start = (client: Client, taskQueue: string, workflowId: string) => Promise<WorkflowHandle>;

export interface KillSpec {
  /** Activity type to kill. */
  activity: string;
  /**
   * true: the worker SIGKILLs itself once the first attempt of `activity` has returned (its effects
   * committed), before the completion reaches Temporal — the retry runs against committed state.
   * false: SIGKILL from outside while the first attempt is running.
   */
  afterCommit: boolean;
  /** The execution the activity runs in, when not the started one (a child workflow). */
  in?: (client: Client) => WorkflowHandle;
  /** Runs while the killed worker is down (Temporal waits for the attempt's timeout anyway). */
  whileDown?: () => Promise<unknown>;
}

export interface RunOptions {
  start: Start;
  kill?: KillSpec;
  /** Data dir of the worker (default: a fresh one); prepare it first for workflows that need setup. */
  dataDir?: string;
  /** Extra worker environment (DAG_APPROVERS …). */
  env?: Record<string, string>;
}

export interface RunOutcome {
  handle: WorkflowHandle;
  /** The workflow's result, or its failure. */
  result: unknown;
  failure?: Error;
  dataDir: string;
  duckdbFile: string;
  /** Row counts of every table the pipeline writes (observe.ts tableCounts). */
  counts: Record<string, number>;
  cleaning: CleaningRows;
  /** Attempt numbers of the killed activity's completions (≥ 2: the killed attempt never completed). */
  attempts: number[];
  /** Results of the killed activity's completions, from the history. */
  results: unknown[];
}

let client: Client | undefined;
/** One client per test file, to the test run's dev server; close it with closeHarnessClient in afterAll. */
export async function harnessClient(): Promise<Client> {
  return (client ??= new Client({ connection: await Connection.connect({ address: testServer().address }) }));
}
export async function closeHarnessClient(): Promise<void> {
  await client?.connection.close();
  client = undefined;
}

export async function runWithKill(opts: RunOptions): Promise<RunOutcome> {
  const c = await harnessClient();
  const dataDir = opts.dataDir ?? tempDataDir('kill-');
  const kill = opts.kill;
  const env = {
    DAG_DATA_DIR: dataDir,
    DAG_TASK_QUEUE: `kill-${randomUUID()}`,
    ...opts.env,
    ...(kill?.afterCommit ? { DAG_TEST_SIGKILL_AFTER: kill.activity } : {}),
  };
  let worker = await startChildWorker(env);
  try {
    const handle = await opts.start(c, env.DAG_TASK_QUEUE, `${kill ? `kill-${kill.activity}` : 'undisturbed'}-${randomUUID()}`);
    const killedIn = kill?.in?.(c) ?? handle;
    if (kill) {
      if (kill.afterCommit) await worker.exited;
      else await waitUntilRunning(killedIn, kill.activity);
      await worker.stop('SIGKILL');
      await kill.whileDown?.();
      // The restarted worker must not kill itself again.
      const { DAG_TEST_SIGKILL_AFTER: _once, ...restartEnv } = env as Record<string, string>;
      worker = await startChildWorker(restartEnv);
    }
    let result: unknown;
    let failure: Error | undefined;
    try {
      result = await handle.result();
    } catch (err) {
      failure = err as Error;
    }
    await worker.stop('SIGTERM');
    const duckdbFile = path.join(dataDir, 'warehouse.duckdb');
    return {
      handle,
      result,
      failure,
      dataDir,
      duckdbFile,
      counts: await tableCounts(duckdbFile),
      cleaning: await cleaningRows(duckdbFile),
      attempts: kill ? await completedAttempts(killedIn, kill.activity) : [],
      results: kill ? await completedResults(killedIn, kill.activity) : [],
    };
  } finally {
    await worker.stop('SIGKILL');
  }
}
