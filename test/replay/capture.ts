/**
 * Captures real workflow histories into test/replay/histories/ for the replay test
 * (test/replay/replay.test.ts). Each scenario runs the CURRENT workflow code on its own Temporal
 * dev server (in memory) with a real worker (DuckDB, local object store, rule planner) and saves
 * one JSON file per workflow execution it wants to pin: a run that finished, or one fetched while
 * it waits (on a review, an approval, a child).
 *
 *   npx tsx test/replay/capture.ts --list                      # the scenarios and what they save
 *   npx tsx test/replay/capture.ts                             # every scenario (1–3 minutes)
 *   npx tsx test/replay/capture.ts nightly-blocked backfill    # some of them
 *   npx tsx test/replay/capture.ts --out histories/<name>      # into a subfolder (keeps the older captures)
 *
 * When to capture (README "Changing workflow code"): BEFORE changing a workflow's command
 * sequence, capture the paths your change touches from the code as it is (on main), commit the
 * files, then change the code behind patched() and run the replay test. Add a scenario here for a
 * path no history covers yet. Existing files are overwritten only for the scenarios you name.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { randomUUID } from 'node:crypto';
import { Client, Connection, type WorkflowHandle } from '@temporalio/client';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { bundleWorkflowCode, DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { createActivities } from '../../activities';
import { createMmmActivities } from '../../activities/mmm';
import { generateSurveyParticipants, loadSurveyParticipants } from '../../activities/personas/participants';
import { bootstrapPersonaTables, importVendorFile } from '../../activities/personas/import-vendor';
import type { ActivityDeps } from '../../lib/deps';
import { failFastOnPermanentErrors } from '../../lib/errors';
import { openDeps } from '../../lib/open-deps';
import { resolveTemporalCli } from '../../temporal/cli-binary';
import { startDevServer } from '../../temporal/dev-server';
import { nightlyScheduleOptions } from '../../temporal/schedules';
import { WORKFLOWS_PATH } from '../../workers/worker';
import {
  Attribution,
  Backfill,
  DecisionEvidence,
  NightlyPipeline,
  PartitionOverview,
  PersonaLabeling,
  PersonaModelImport,
  RetrainPersonas,
  RobynMmm,
} from '../../workflows';
import { backfillProgress } from '../../workflows/backfill';
import { cleaningApproval, type CleaningReview } from '../../workflows/cleaning-review';
import { inputsChangedSignal } from '../../workflows/shared/late-data';
import { personaApproval } from '../../workflows/retrain-personas';
import { DEMO_CSV, DEMO_KEY, demoSource, fakeRunner } from '../mmm/support';
import { VENDOR_FIXTURE } from '../personas/support/persona-env';
import { testConfig } from '../support/temporal';

export const HISTORIES_DIR = path.join(__dirname, 'histories');

/** One captured execution, as stored in histories/<name>.json. */
export interface CapturedHistory {
  name: string;
  workflowType: string;
  /** Replay needs it: workflows read their own id (the scheduled nightly, RobynMmm's job id). */
  workflowId: string;
  description: string;
  /** The commit the captured code was on (plus "+dirty" when the work tree had changes). */
  commit: string;
  capturedAt: string;
  /** historyToJSON's output, parsed (historyFromJSON reads it back). */
  history: unknown;
}

interface Ctx {
  client: Client;
  /** Task queue of the worker with every activity (Robyn: the real runner, 100 × 1 is quick). */
  taskQueue: string;
  /** Task queue of a second worker whose Robyn runner is test/mmm's fake one, exiting 1. */
  failingRobynQueue: string;
  deps: ActivityDeps;
  save(name: string, handle: WorkflowHandle, description: string): Promise<void>;
}

interface Scenario {
  name: string;
  saves: string[];
  run(ctx: Ctx): Promise<void>;
}

const uid = () => randomUUID().slice(0, 8);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls until `probe` returns a value (condition-based; 3 min is generous on a busy machine). */
async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 180_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(250);
  }
}

const awaitingApproval = (query: () => Promise<{ status: string; version: number | null }>) =>
  until('an approval request', async () => {
    const s = await query();
    return s.status === 'AwaitingApproval' ? s : undefined;
  });

const generate = (seed: number, anomalies = false) => ({ rows: 3000, anomalies, seed });

const SCENARIOS: Scenario[] = [
  {
    name: 'nightly-succeeded',
    saves: ['nightly-succeeded', 'attribution-child', 'persona-labeling-child'],
    async run({ client, taskQueue, deps, save }) {
      const date = '2026-03-02';
      // Participants landed and a model active: the published day also runs the persona child.
      await generateSurveyParticipants(deps, { date, participants: 2000, seed: 11 });
      const h = await client.workflow.start(NightlyPipeline, { taskQueue, workflowId: `nightly-${date}`, args: [{ date, generate: generate(1) }] });
      const r = await h.result();
      if (r.status !== 'succeeded') throw new Error(`expected succeeded, got ${r.status}: ${r.summary}`);
      await save(
        'nightly-succeeded',
        h,
        'NightlyPipeline on generated clean data: bronze → silver → checks → gold → publish → attribution and persona children',
      );
      await save('attribution-child', client.workflow.getHandle(`attribution-${date}`), 'Attribution started by the nightly for its date');
      await save('persona-labeling-child', client.workflow.getHandle(`personas-${date}`), 'PersonaLabeling started by the nightly (baseline day)');
    },
  },
  {
    name: 'nightly-blocked',
    saves: ['nightly-blocked-waiting', 'cleaning-review-waiting', 'cleaning-review-accepted', 'nightly-blocked-cleaned-succeeded'],
    async run({ client, taskQueue, save }) {
      const date = '2026-03-03';
      const h = await client.workflow.start(NightlyPipeline, { taskQueue, workflowId: `nightly-${date}`, args: [{ date, generate: generate(2, true) }] });
      const review = client.workflow.getHandle<typeof CleaningReview>(`cleaning-${date}`);
      const plan = await awaitingApproval(() => review.query(cleaningApproval.query));
      await save('nightly-blocked-waiting', h, 'NightlyPipeline blocked by silver checks, waiting on its CleaningReview child');
      await save('cleaning-review-waiting', review, 'CleaningReview with plan v1 awaiting a decision');
      await review.executeUpdate(cleaningApproval.update, {
        args: [{ decision: 'accept', approver: 'alice', reason: 'planted anomalies', version: plan.version! }],
      });
      const r = await h.result();
      if (r.status !== 'succeeded') throw new Error(`expected succeeded after review, got ${r.status}: ${r.summary}`);
      await save('cleaning-review-accepted', review, 'CleaningReview: plan accepted by update, applied, checks pass, gold published');
      await save('nightly-blocked-cleaned-succeeded', h, 'NightlyPipeline that waited on a review which published: then attribution, succeeded');
    },
  },
  {
    name: 'late-data-continued',
    saves: ['nightly-told-continued', 'nightly-after-continue-as-new'],
    async run({ client, taskQueue, save }) {
      const date = '2026-03-12';
      const h = await client.workflow.start(NightlyPipeline, { taskQueue, workflowId: `nightly-${date}`, args: [{ date, generate: generate(9, true) }] });
      const review = client.workflow.getHandle<typeof CleaningReview>(`cleaning-${date}`);
      const plan = await awaitingApproval(() => review.query(cleaningApproval.query));
      // What a re-run of an earlier day sends to a run in progress whose inputs it changed (issue #14).
      await h.signal(inputsChangedSignal, 'FX rates delivered with 2026-03-11 change its money');
      await review.executeUpdate(cleaningApproval.update, {
        args: [{ decision: 'accept', approver: 'alice', reason: 'planted anomalies', version: plan.version! }],
      });
      const r = await h.result();
      if (r.status !== 'succeeded') throw new Error(`expected succeeded after starting over, got ${r.status}: ${r.summary}`);
      await save(
        'nightly-told-continued',
        client.workflow.getHandle(h.workflowId, h.firstExecutionRunId),
        'NightlyPipeline told its inputs changed while it waited on a review: accepted, published, then continued as new',
      );
      await save(
        'nightly-after-continue-as-new',
        client.workflow.getHandle(h.workflowId),
        'The run it continued as: silver rebuilt, accepted cleaning re-applied, succeeded',
      );
    },
  },
  {
    name: 'console-reads',
    saves: ['decision-evidence-samples', 'partition-overview'],
    async run({ client, taskQueue, save }) {
      // What the approvals console starts to read the warehouse through the worker.
      const date = '2026-03-20';
      const h = await client.workflow.start(NightlyPipeline, { taskQueue, workflowId: `nightly-${date}`, args: [{ date, generate: generate(20, true) }] });
      const review = client.workflow.getHandle<typeof CleaningReview>(`cleaning-${date}`);
      const plan = await awaitingApproval(() => review.query(cleaningApproval.query));
      const subject = (await review.query(cleaningApproval.query)).subject!;
      const evidence = await client.workflow.start(DecisionEvidence, {
        taskQueue,
        workflowId: `console-evidence-${uid()}`,
        args: [{ kind: 'cleaning_plan', workflowId: review.workflowId, runId: (await review.describe()).runId, date, plan: subject.plan }],
      });
      await evidence.result();
      await save('decision-evidence-samples', evidence, 'DecisionEvidence: sample rows of plan v1 into the object store, earlier decisions on the date');
      const overview = await client.workflow.start(PartitionOverview, {
        taskQueue,
        workflowId: `console-partitions-${uid()}`,
        args: [{ from: '2026-03-18', to: date }],
      });
      await overview.result();
      await save('partition-overview', overview, 'PartitionOverview: statuses per date and layer for the console grid');
      await review.executeUpdate(cleaningApproval.update, { args: [{ decision: 'reject', approver: 'bob', reason: 'capture done', version: plan.version! }] });
      await h.result();
    },
  },
  {
    name: 'nightly-rejected',
    saves: ['cleaning-review-rejected', 'nightly-blocked-rejected'],
    async run({ client, taskQueue, save }) {
      const date = '2026-03-04';
      const h = await client.workflow.start(NightlyPipeline, { taskQueue, workflowId: `nightly-${date}`, args: [{ date, generate: generate(3, true) }] });
      const review = client.workflow.getHandle<typeof CleaningReview>(`cleaning-${date}`);
      const plan = await awaitingApproval(() => review.query(cleaningApproval.query));
      // A signal from someone who is not an approver first (ignored, audited), then a rejection.
      await review.signal(cleaningApproval.signal, { decision: 'accept', approver: 'mallory', version: plan.version! });
      await review.signal(cleaningApproval.signal, { decision: 'reject', approver: 'bob', reason: 'not today', version: plan.version! });
      const r = await h.result();
      if (r.status !== 'blocked') throw new Error(`expected blocked, got ${r.status}`);
      await save('cleaning-review-rejected', review, 'CleaningReview: an ignored signal from a non-approver, then a rejection by signal');
      await save('nightly-blocked-rejected', h, 'NightlyPipeline whose review was rejected: blocked');
    },
  },
  {
    name: 'nightly-no-review',
    saves: ['nightly-blocked-no-review'],
    async run({ client, taskQueue, save }) {
      const date = '2026-03-05';
      const h = await client.workflow.start(NightlyPipeline, {
        taskQueue,
        workflowId: `nightly-${date}`,
        args: [{ date, generate: generate(4, true), review: false }],
      });
      await h.result();
      await save('nightly-blocked-no-review', h, 'NightlyPipeline with review: false, blocked by silver checks');
    },
  },
  {
    name: 'nightly-cancelled',
    saves: ['nightly-cancelled-while-blocked', 'cleaning-review-cancelled'],
    async run({ client, taskQueue, save }) {
      const date = '2026-03-06';
      const h = await client.workflow.start(NightlyPipeline, { taskQueue, workflowId: `nightly-${date}`, args: [{ date, generate: generate(5, true) }] });
      const review = client.workflow.getHandle<typeof CleaningReview>(`cleaning-${date}`);
      await awaitingApproval(() => review.query(cleaningApproval.query));
      await h.cancel();
      await h.result().catch(() => undefined);
      await until('the review to close', async () => ((await review.describe()).status.name === 'RUNNING' ? undefined : true));
      await save('nightly-cancelled-while-blocked', h, 'NightlyPipeline cancelled (as from the UI) while waiting on its review');
      await save('cleaning-review-cancelled', review, 'CleaningReview cancelled with its parent while awaiting a decision');
    },
  },
  {
    name: 'nightly-invalid-input',
    saves: ['nightly-invalid-input'],
    async run({ client, taskQueue, save }) {
      const h = await client.workflow.start(NightlyPipeline, { taskQueue, workflowId: `nightly-bad-${uid()}`, args: [{ date: '2026-02-30' }] });
      await h.result().catch(() => undefined);
      await save('nightly-invalid-input', h, 'NightlyPipeline refusing a date that does not exist (fails at input validation)');
    },
  },
  {
    name: 'nightly-scheduled',
    saves: ['nightly-scheduled-parent', 'nightly-scheduled-owner-child'],
    async run({ client, taskQueue, deps, save }) {
      const opts = nightlyScheduleOptions(deps.config);
      const schedule = await client.schedule.create({
        ...opts,
        scheduleId: `replay-nightly-${uid()}`,
        action: { ...opts.action, taskQueue, args: [{ generate: generate(6) }] } as typeof opts.action,
        state: { paused: true },
      });
      try {
        await schedule.trigger();
        const id = await until('the scheduled run', async () => (await schedule.describe()).info.recentActions[0]?.action.workflow.workflowId);
        const h = client.workflow.getHandle<typeof NightlyPipeline>(id);
        const r = await h.result();
        await save('nightly-scheduled-parent', h, 'NightlyPipeline started by the nightly schedule: runs its date as the nightly-<date> child');
        await save('nightly-scheduled-owner-child', client.workflow.getHandle(`nightly-${r.date}`), 'the partition-owner child of a scheduled nightly');
      } finally {
        await schedule.delete();
      }
    },
  },
  {
    name: 'backfill',
    saves: ['backfill-midway', 'backfill-finished'],
    async run({ client, taskQueue, save }) {
      const h = await client.workflow.start(Backfill, {
        taskQueue,
        workflowId: `backfill-${uid()}`,
        args: [{ from: '2026-03-10', to: '2026-03-12', maxConcurrent: 1, generate: generate(7) }],
      });
      await until('one date done and the next running', async () => {
        const p = await h.query(backfillProgress);
        return Object.keys(p.done).length === 1 && p.running.length === 1 ? p : undefined;
      });
      await save('backfill-midway', h, 'Backfill of 3 dates, one at a time: the first date done, the second running');
      const r = await h.result();
      if (r.counts.succeeded !== 3) throw new Error(`expected 3 succeeded, got ${JSON.stringify(r.counts)}`);
      await save('backfill-finished', h, 'Backfill of 3 dates, all succeeded');
    },
  },
  {
    name: 'attribution',
    saves: ['attribution-range'],
    async run({ client, taskQueue, save }) {
      const h = await client.workflow.start(Attribution, {
        taskQueue,
        workflowId: `attribution-${uid()}`,
        args: [{ from: '2026-03-01', to: '2026-03-12', windowDays: [7, 30] }],
      });
      await h.result();
      await save('attribution-range', h, 'Attribution over a range with two windows and the report');
    },
  },
  {
    name: 'personas',
    saves: ['persona-labeling-drift', 'retrain-personas-waiting', 'retrain-personas-promoted'],
    async run({ client, taskQueue, save }) {
      const day = (date: string, seed: number, shift?: { features: ('x1' | 'x4' | 'x8')[]; stdPerDay: number; from: string }) =>
        client.workflow.execute(PersonaLabeling, {
          taskQueue,
          workflowId: `personas-replay-${date}-${uid()}`,
          args: [{ date, generate: { participants: 2000, seed, shift } }],
        });
      await day('2026-03-20', 21);
      const workflowId = `personas-replay-drift-${uid()}`;
      const h = await client.workflow.start(PersonaLabeling, {
        taskQueue,
        workflowId,
        args: [{ date: '2026-03-21', generate: { participants: 2000, seed: 22, shift: { features: ['x1', 'x4', 'x8'], stdPerDay: 1.5, from: '2026-03-21' } } }],
      });
      const r = await h.result();
      if (!r.retrain) throw new Error(`expected drift to start a retrain: ${r.summary}`);
      await save('persona-labeling-drift', h, 'PersonaLabeling declaring drift and starting RetrainPersonas (abandoned child)');
      const retrain = client.workflow.getHandle<typeof RetrainPersonas>(r.retrain.workflowId);
      const state = await awaitingApproval(() => retrain.query(personaApproval.query));
      await save('retrain-personas-waiting', retrain, 'RetrainPersonas (started by drift) with its candidate awaiting approval');
      await retrain.executeUpdate(personaApproval.update, { args: [{ decision: 'accept', approver: 'alice', version: state.version! }] });
      await retrain.result();
      await save('retrain-personas-promoted', retrain, 'RetrainPersonas: candidate accepted by update, promoted, window relabelled');
    },
  },
  {
    name: 'retrain-rejected',
    saves: ['retrain-personas-rejected'],
    async run({ client, taskQueue, save }) {
      const h = await client.workflow.start(RetrainPersonas, {
        taskQueue,
        workflowId: `retrain-personas-replay-${uid()}`,
        args: [{ window: { from: '2026-03-20', to: '2026-03-21' }, requestedBy: 'carol', reason: 'manual', sampleSize: 1000 }],
      });
      const state = await awaitingApproval(() => h.query(personaApproval.query));
      await h.signal(personaApproval.signal, { decision: 'reject', approver: 'alice', reason: 'not better', version: state.version! });
      await h.result();
      await save('retrain-personas-rejected', h, 'RetrainPersonas started by a person, rejected by signal');
    },
  },
  {
    name: 'persona-import',
    saves: ['persona-model-import'],
    async run({ client, taskQueue, deps, save }) {
      const key = `ml/imports/replay/${path.basename(VENDOR_FIXTURE)}`;
      await deps.store.put(key, fs.readFileSync(VENDOR_FIXTURE));
      const h = await client.workflow.start(PersonaModelImport, {
        taskQueue,
        workflowId: `persona-import-replay-${uid()}`,
        args: [{ key, fileName: path.basename(VENDOR_FIXTURE), activate: false }],
      });
      await h.result();
      await save('persona-model-import', h, 'PersonaModelImport of the vendor fixture as a candidate (dag personas import)');
    },
  },
  {
    name: 'approval-waits',
    saves: ['cleaning-review-revised-accepted', 'retrain-personas-timed-out'],
    async run({ client, taskQueue, deps, save }) {
      // Two waits in one review (revise, then accept), and a wait that runs out (the half-time and timeout path).
      const date = '2026-03-07';
      const h = await client.workflow.start(NightlyPipeline, { taskQueue, workflowId: `nightly-${date}`, args: [{ date, generate: generate(8, true) }] });
      const review = client.workflow.getHandle<typeof CleaningReview>(`cleaning-${date}`);
      const v1 = await awaitingApproval(() => review.query(cleaningApproval.query));
      await review.executeUpdate(cleaningApproval.update, {
        args: [{ decision: 'revise', approver: 'alice', reason: 'keep the orphan orders', version: v1.version! }],
      });
      const v2 = await until('plan v2 awaiting', async () => {
        const s = await review.query(cleaningApproval.query);
        return s.status === 'AwaitingApproval' && s.version === v1.version! + 1 ? s : undefined;
      });
      await review.executeUpdate(cleaningApproval.update, { args: [{ decision: 'accept', approver: 'bob', reason: 'v2 it is', version: v2.version! }] });
      await h.result();
      await save('cleaning-review-revised-accepted', review, 'CleaningReview: plan v1 sent back for revision, v2 accepted, applied, published');
      for (const [i, day] of ['2026-03-25', '2026-03-26'].entries()) {
        await generateSurveyParticipants(deps, { date: day, participants: 1500, seed: 30 + i });
        await loadSurveyParticipants(deps, { date: day });
      }
      const t = await client.workflow.start(RetrainPersonas, {
        taskQueue,
        workflowId: `retrain-personas-replay-${uid()}`,
        args: [{ window: { from: '2026-03-25', to: '2026-03-26' }, requestedBy: 'carol', sampleSize: 1000, approvalTimeout: '4s' }],
      });
      const r = await t.result();
      if (r.outcome !== 'timed_out') throw new Error(`expected timed_out, got ${r.outcome}`);
      await save('retrain-personas-timed-out', t, 'RetrainPersonas with approvalTimeout 4s and no decision: timed out, a recorded rejection');
    },
  },
  {
    name: 'robyn',
    saves: ['robyn-mmm-succeeded', 'robyn-mmm-failed'],
    async run({ client, taskQueue, failingRobynQueue, save }) {
      const input = { source: demoSource, from: '2016-01-04', to: '2018-12-31', iterations: 100, trials: 1, seed: 123 };
      const ok = await client.workflow.start(RobynMmm, { taskQueue, workflowId: `robyn-mmm-replay-${uid()}`, args: [input] });
      await ok.result();
      await save('robyn-mmm-succeeded', ok, 'RobynMmm on the Robyn demo CSV with the real runner (100 iterations × 1 trial)');
      const bad = await client.workflow.start(RobynMmm, { taskQueue: failingRobynQueue, workflowId: `robyn-mmm-replay-${uid()}`, args: [input] });
      await bad.result().catch(() => undefined);
      await save('robyn-mmm-failed', bad, 'RobynMmm whose runner exits 1 (test/mmm fake runner): the failure recorded in mmm.runs');
    },
  },
];

/** Valid JSON with one event per line: small files, readable diffs when a history is re-captured. */
function formatCaptured(file: CapturedHistory): string {
  const { history, ...meta } = file;
  const events = (history as { events: unknown[] }).events.map((e) => JSON.stringify(e));
  const head = JSON.stringify(meta, null, 2).replace(/\n}$/, '');
  return `${head},\n  "history": {"events": [\n${events.join(',\n')}\n  ]}\n}\n`;
}

function gitCommit(): string {
  const git = (...args: string[]) => execFileSync('git', args, { cwd: __dirname, encoding: 'utf8' }).trim();
  try {
    return `${git('rev-parse', '--short', 'HEAD')}${git('status', '--porcelain', '--', '../../workflows') ? '+dirty' : ''}`;
  } catch {
    return 'unknown';
  }
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const outAt = argv.indexOf('--out');
  const outDir = outAt >= 0 ? path.resolve(__dirname, argv[outAt + 1] ?? '') : HISTORIES_DIR;
  const args = outAt >= 0 ? argv.filter((_, i) => i !== outAt && i !== outAt + 1) : argv;
  if (args.includes('--list')) {
    for (const s of SCENARIOS) console.log(`${s.name}: ${s.saves.join(', ')}`);
    return;
  }
  const unknown = args.filter((a) => !SCENARIOS.some((s) => s.name === a));
  if (unknown.length) throw new Error(`unknown scenario(s) ${unknown.join(', ')}; --list shows them`);
  const chosen = args.length ? SCENARIOS.filter((s) => args.includes(s.name)) : SCENARIOS;

  const cliPath = resolveTemporalCli(process.env.TEMPORAL_CLI_PATH);
  if (!cliPath) throw new Error('Temporal CLI not found: run scripts/setup-tools.sh temporal');
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  const server = await startDevServer({ cliPath, headless: true });
  // Unsigned decisions by listed approvers (the development setting): histories are about commands, not identities.
  const config = await testConfig({ DAG_APPROVERS: 'alice,bob', DAG_ALLOW_UNSIGNED_DECISIONS: 'true', DAG_LOG_LEVEL: 'error' });
  const deps = await openDeps(config);
  await bootstrapPersonaTables(deps.warehouse);
  await importVendorFile(deps, VENDOR_FIXTURE);
  await deps.store.put(DEMO_KEY, fs.readFileSync(DEMO_CSV));
  const connection = await NativeConnection.connect({ address: server.address });
  const client = new Client({ connection: await Connection.connect({ address: server.address }) });
  const { code } = await bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: new DefaultLogger('WARN') });
  const worker = (taskQueue: string, activities: Record<string, unknown>) =>
    Worker.create({ connection, taskQueue, workflowBundle: { code }, activities, maxHeartbeatThrottleInterval: '1s', shutdownGraceTime: '1s' });
  const taskQueue = `replay-capture-${uid()}`;
  const failingRobynQueue = `${taskQueue}-failing-robyn`;
  const workers = [
    await worker(taskQueue, createActivities(deps)),
    await worker(failingRobynQueue, {
      ...createActivities(deps),
      ...failFastOnPermanentErrors(createMmmActivities(deps, { runnerCommand: fakeRunner(0.5, 1) })),
    }),
  ];
  const running = workers.map((w) => w.run());
  const commit = gitCommit();
  fs.mkdirSync(outDir, { recursive: true });
  const save: Ctx['save'] = async (name, handle, description) => {
    const desc = await handle.describe();
    const history = await handle.fetchHistory();
    const file: CapturedHistory = {
      name,
      workflowType: desc.type,
      workflowId: handle.workflowId,
      description,
      commit,
      capturedAt: new Date().toISOString(),
      history: JSON.parse(historyToJSON(history)),
    };
    fs.writeFileSync(path.join(outDir, `${name}.json`), formatCaptured(file));
    console.log(`  saved ${name} (${desc.type}, ${history.events?.length ?? 0} events, ${desc.status.name})`);
  };
  try {
    for (const s of chosen) {
      const t = Date.now();
      console.log(`${s.name}…`);
      await s.run({ client, taskQueue, failingRobynQueue, deps, save });
      console.log(`  ${s.name} done in ${Math.round((Date.now() - t) / 1000)} s`);
    }
  } finally {
    for (const w of workers) w.shutdown();
    await Promise.all(running);
    await client.connection.close();
    await connection.close();
    await deps.warehouse.close();
    await server.stop();
  }
}

main().catch((err) => {
  console.error(`capture failed: ${(err as Error).stack ?? String(err)}`);
  process.exit(1);
});
