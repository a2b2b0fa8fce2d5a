import type { ApplyResult } from '../../activities/cleaning/apply';
import { NightlyPipeline, PersonaLabeling } from '../../workflows';
import { cleaningApproval, type CleaningReview } from '../../workflows/cleaning-review';
import type { NightlyResult } from '../../workflows/nightly-pipeline';
import { awaitingPlan } from '../cleaning/support';
import { openPersonaDeps } from '../personas/support/persona-env';
import { closeHarnessClient, harnessClient, runWithKill, type Start } from './support/kill-harness';

/**
 * The worker process is SIGKILLed while an activity runs, a new worker process is started,
 * and the workflow must finish with exactly the rows of an undisturbed run of the same input.
 * Temporal notices the dead attempt by the activity's own timeouts (heartbeat 1 min for long
 * SQL, start-to-close 2 min for publishGold), so the scenarios run side by side. The cleaning
 * apply is also killed just after it committed, the moment a retry could apply a plan twice
 * (the other committing activities: retry-after-commit.test.ts).
 */
afterAll(closeHarnessClient);

// Unsigned decisions by alice (the development setting): this test is about crashes, not identities.
const WORKER_ENV = { DAG_APPROVERS: 'alice', DAG_ALLOW_UNSIGNED_DECISIONS: 'true' };

const nightly =
  (date: string): Start =>
  (client, taskQueue, workflowId) =>
    client.workflow.start(NightlyPipeline, { taskQueue, workflowId, args: [{ date, generate: { rows: 20_000, anomalies: false, seed: 5 } }] });

const persona =
  (date: string): Start =>
  (client, taskQueue, workflowId) =>
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
    let undisturbed!: Awaited<ReturnType<typeof runWithKill>>;
    const killed = await runWithKill({
      start: nightly(date),
      kill: { activity: activityType, afterCommit: false, whileDown: async () => (undisturbed = await runWithKill({ start: nightly(date) })) },
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
    let undisturbed!: Awaited<ReturnType<typeof runWithKill>>;
    const baseDir = await personaDataDir();
    const killed = await runWithKill({
      start: persona(date),
      dataDir: await personaDataDir(),
      kill: {
        activity: 'labelParticipants',
        afterCommit: false,
        whileDown: async () => (undisturbed = await runWithKill({ start: persona(date), dataDir: baseDir })),
      },
    });
    expect(Math.max(...killed.attempts)).toBeGreaterThanOrEqual(2);
    expect(killed.counts).toEqual(undisturbed.counts);
    expect(killed.counts['ml.persona_labels']).toBe(20_000);
    expect(killed.result).toMatchObject({ participants: 20_000 });
  },
  240_000,
);

const reviewOf = async (date: string) => (await harnessClient()).workflow.getHandle<typeof CleaningReview>(`cleaning-${date}`);
/** The latest review's result without the decision's arrival time. */
const reviewResult = async (date: string) => {
  const { decision, ...r } = await (await reviewOf(date)).result();
  return { ...r, decision: { ...decision, at: undefined } };
};

/** A nightly run whose silver checks block; its CleaningReview child's plan v1 is accepted once it awaits a decision. */
const nightlyAcceptingCleaning =
  (date: string): Start =>
  async (client, taskQueue, workflowId) => {
    const handle = await client.workflow.start(NightlyPipeline, {
      taskQueue,
      workflowId,
      args: [{ date, generate: { rows: 20_000, anomalies: true, seed: 5 } }],
    });
    const review = client.workflow.getHandle<typeof CleaningReview>(`cleaning-${date}`);
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
    const undisturbed = await runWithKill({ start: nightlyAcceptingCleaning(date), env: WORKER_ENV });
    const undisturbedReview = await reviewResult(date);
    const killed = await runWithKill({
      start: nightlyAcceptingCleaning(date),
      env: WORKER_ENV,
      kill: { activity: 'applyCleaningPlan', afterCommit: afterItReturned, in: (client) => client.workflow.getHandle(`cleaning-${date}`) },
    });
    expect(killed.attempts).toHaveLength(1);
    expect(killed.attempts[0]).toBeGreaterThanOrEqual(2); // the killed attempt never completed
    const [applied] = killed.results as ApplyResult[];
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
