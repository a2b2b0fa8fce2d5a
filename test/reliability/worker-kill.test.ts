import * as path from 'node:path';
import { randomUUID } from 'node:crypto';
import { Client, Connection, type WorkflowHandle } from '@temporalio/client';
import type { ApplyResult } from '../../activities/cleaning/apply';
import { NightlyPipeline, PersonaLabeling } from '../../workflows';
import { cleaningApproval, type CleaningReview } from '../../workflows/cleaning-review';
import type { NightlyResult } from '../../workflows/nightly-pipeline';
import { awaitingPlan } from '../cleaning/support';
import { openPersonaDeps } from '../personas/support/persona-env';
import { tempDataDir } from '../support/temporal';
import { startChildWorker, testServer } from './support/child-worker';
import { cleaningRows, completedAttempts, completedResults, tableCounts, waitUntilRunning } from './support/observe';

/**
 * The worker process is SIGKILLed while an activity runs, a new worker process is started,
 * and the workflow must finish with exactly the rows of an undisturbed run of the same input.
 * Temporal notices the dead attempt by the activity's own timeouts (heartbeat 1 min for long
 * SQL, start-to-close 2 min for publishGold), so the scenarios run side by side. The cleaning
 * apply is also killed just after it committed, the moment a retry could apply a plan twice.
 */
let client: Client;
beforeAll(async () => {
  client = new Client({ connection: await Connection.connect({ address: testServer().address }) });
});
afterAll(async () => client?.connection.close());

type Start = (taskQueue: string, workflowId: string) => Promise<WorkflowHandle>;

interface Kill {
  during: string;
  /** Runs while the killed worker is down (Temporal waits for the attempt's timeout anyway). */
  whileDown: () => Promise<unknown>;
  /** The run whose activity is killed, when not the started one (a child workflow). */
  in?: () => WorkflowHandle;
  /**
   * Instead of a SIGKILL from outside while the activity runs, the worker SIGKILLs itself right
   * after the activity's first attempt returned, before Temporal hears of it (worker-process.ts).
   */
  afterItReturned?: boolean;
}

async function run(dataDir: string, start: Start, kill?: Kill) {
  const killDuring = kill?.during;
  // Unsigned decisions by alice (the development setting): this test is about crashes, not identities.
  const env = {
    DAG_DATA_DIR: dataDir,
    DAG_TASK_QUEUE: `kill-${randomUUID()}`,
    DAG_APPROVERS: 'alice',
    DAG_ALLOW_UNSIGNED_DECISIONS: 'true',
    ...(kill?.afterItReturned ? { DAG_TEST_SIGKILL_AFTER: kill.during } : {}),
  };
  let worker = await startChildWorker(env);
  try {
    const handle = await start(env.DAG_TASK_QUEUE, `${killDuring ?? 'undisturbed'}-${randomUUID()}`);
    const killedIn = kill?.in?.() ?? handle;
    if (killDuring) {
      if (kill!.afterItReturned) await worker.exited;
      else await waitUntilRunning(killedIn, killDuring);
      await worker.stop('SIGKILL');
      await kill!.whileDown();
      worker = await startChildWorker(env);
    }
    const result = (await handle.result()) as unknown;
    await worker.stop('SIGTERM');
    const duckdbFile = path.join(dataDir, 'warehouse.duckdb');
    return {
      result,
      counts: await tableCounts(duckdbFile),
      cleaning: await cleaningRows(duckdbFile),
      attempts: killDuring ? await completedAttempts(killedIn, killDuring) : [],
    };
  } finally {
    await worker.stop('SIGKILL');
  }
}

const nightly =
  (date: string): Start =>
  (taskQueue, workflowId) =>
    client.workflow.start(NightlyPipeline, { taskQueue, workflowId, args: [{ date, generate: { rows: 20_000, anomalies: false, seed: 5 } }] });

const persona =
  (date: string): Start =>
  (taskQueue, workflowId) =>
    client.workflow.start(PersonaLabeling, { taskQueue, workflowId, args: [{ date, generate: { participants: 20_000, seed: 3 } }] });

async function personaDataDir(): Promise<string> {
  const deps = await openPersonaDeps();
  await deps.warehouse.close();
  return deps.config.dataDir;
}

test.concurrent.each([
  ['a bronze load', 'loadBronzeFile', '2026-06-01'],
  ['a silver build', 'buildModel', '2026-06-02'],
  ['the gold publish', 'publishGold', '2026-06-03'],
])(
  'worker killed during %s: the run completes with the rows of an undisturbed run',
  async (_what, activityType, date) => {
    // The undisturbed run of the same input runs while the killed worker is down: same date, never overlapping.
    let undisturbed!: Awaited<ReturnType<typeof run>>;
    const killed = await run(tempDataDir('kill-'), nightly(date), {
      during: activityType,
      whileDown: async () => (undisturbed = await run(tempDataDir('kill-base-'), nightly(date))),
    });
    expect(Math.max(...killed.attempts)).toBeGreaterThanOrEqual(2); // the killed attempt never completed
    expect(killed.counts).toEqual(undisturbed.counts);
    expect(killed.counts[`gold.daily_kpis`]).toBe(1);
    const [k, u] = [killed.result, undisturbed.result] as NightlyResult[];
    expect(k.status).toBe('succeeded');
    expect({ bronze: k.layers.bronze.rows, quarantined: k.layers.bronze.quarantined, silver: k.layers.silver?.models, gold: k.layers.gold?.models }).toEqual({
      bronze: u.layers.bronze.rows,
      quarantined: u.layers.bronze.quarantined,
      silver: u.layers.silver?.models,
      gold: u.layers.gold?.models,
    });
  },
  240_000,
);

test.concurrent(
  'worker killed during a persona relabel: labels match an undisturbed run',
  async () => {
    const date = '2026-06-04';
    let undisturbed!: Awaited<ReturnType<typeof run>>;
    const baseDir = await personaDataDir();
    const killed = await run(await personaDataDir(), persona(date), {
      during: 'labelParticipants',
      whileDown: async () => (undisturbed = await run(baseDir, persona(date))),
    });
    expect(Math.max(...killed.attempts)).toBeGreaterThanOrEqual(2);
    expect(killed.counts).toEqual(undisturbed.counts);
    expect(killed.counts['ml.persona_labels']).toBe(20_000);
    expect(killed.result).toMatchObject({ participants: 20_000 });
  },
  240_000,
);

const reviewOf = (date: string) => client.workflow.getHandle<typeof CleaningReview>(`cleaning-${date}`);
/** The latest review's result without the decision's arrival time. */
const reviewResult = async (date: string) => {
  const { decision, ...r } = await reviewOf(date).result();
  return { ...r, decision: { ...decision, at: undefined } };
};

/** A nightly run whose silver checks block; its CleaningReview child's plan v1 is accepted once it awaits a decision. */
const nightlyAcceptingCleaning =
  (date: string): Start =>
  async (taskQueue, workflowId) => {
    const handle = await client.workflow.start(NightlyPipeline, {
      taskQueue,
      workflowId,
      args: [{ date, generate: { rows: 20_000, anomalies: true, seed: 5 } }],
    });
    const review = reviewOf(date);
    await awaitingPlan(() => review.query(cleaningApproval.query), 1);
    await review.executeUpdate(cleaningApproval.update, {
      args: [{ decision: 'accept', approver: 'alice', reason: 'anomalies of the generator', version: 1 }],
    });
    return handle;
  };

test.concurrent.each([
  ['while it runs', false, '2026-06-05'],
  ['after it committed, before Temporal heard', true, '2026-06-06'],
])(
  'worker killed applying an accepted cleaning plan %s: silver, gold and the cleaning audit match an undisturbed run',
  async (_when, afterItReturned, date) => {
    // Both runs' reviews are `cleaning-<date>` (one open review per partition), so the undisturbed run goes first.
    const undisturbed = await run(tempDataDir('kill-base-'), nightlyAcceptingCleaning(date));
    const undisturbedReview = await reviewResult(date);
    const killed = await run(tempDataDir('kill-'), nightlyAcceptingCleaning(date), {
      during: 'applyCleaningPlan',
      whileDown: async () => undefined,
      in: () => reviewOf(date),
      afterItReturned,
    });
    expect(killed.attempts).toHaveLength(1);
    expect(killed.attempts[0]).toBeGreaterThanOrEqual(2); // the killed attempt never completed
    const [applied] = (await completedResults(reviewOf(date), 'applyCleaningPlan')) as ApplyResult[];
    // The retry of a committed apply finds its audit rows and applies nothing again.
    if (afterItReturned) expect(applied).toMatchObject({ alreadyApplied: true, applied: 0 });
    expect(killed.counts).toEqual(undisturbed.counts);
    expect(killed.counts['gold.daily_kpis']).toBe(1);
    expect(killed.counts['ops.gold_publications']).toBe(1);
    // Every audit row once (three applied operations, not six), every quarantined row once.
    expect(killed.cleaning).toEqual(undisturbed.cleaning);
    expect(killed.cleaning.audit.filter((a) => a.kind === 'applied_operation')).toHaveLength(3);
    expect(killed.cleaning.quarantined.map((q) => q.n)).toEqual([40, 8, 8]);
    for (const r of [killed.result, undisturbed.result] as NightlyResult[]) expect(r.status).toBe('succeeded');
    expect(undisturbedReview).toMatchObject({ outcome: 'published', rounds: 1, planVersion: 1 });
    expect(await reviewResult(date)).toEqual(undisturbedReview);
  },
  300_000,
);
