import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { WorkflowFailedError, WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import { loadConfig } from '../../config/config';
import { NightlyPipeline } from '../../workflows/nightly-pipeline';
import { CleaningReview } from '../../workflows/cleaning-review';
import { RetrainPersonas } from '../../workflows/retrain-personas';
import { importVendorFile } from '../../activities/personas/import-vendor';
import { createTestEnv, tempDataDir, type TestEnv, type TestWorker } from '../support/temporal';
import { landDay, VENDOR_FIXTURE } from '../personas/support/persona-env';
import { scaled } from '../support/time';

/**
 * The problems reported in issue #16, each tried as an attacker or a confused approver would,
 * with plain JSON payloads (what anyone who can reach Temporal can send) against the real stack.
 * Every test here failed on the code before signed decisions; see the notes for the failures.
 */
const run = promisify(execFile);
const ROOT = path.resolve(__dirname, '../..');
let env: TestEnv;
let w: TestWorker;

// A chat-completions server that refuses every key and echoes it, as some OpenAI-compatible servers do.
const ECHOED_KEY = 'sk-echo-7c1d9e44b2a05f3e';
let echo: http.Server;
let echoUrl: string;

beforeAll(async () => {
  env = await createTestEnv();
  echo = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const key = String(req.headers.authorization ?? '').replace(/^Bearer /, '');
      res.writeHead(401, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          error: {
            message: `Incorrect API key provided: ${key}. You can find your API key at https://example.invalid.`,
            type: 'invalid_request_error',
            code: 'invalid_api_key',
          },
        }),
      );
    });
  });
  await new Promise<void>((r) => echo.listen(0, '127.0.0.1', r));
  echoUrl = `http://127.0.0.1:${(echo.address() as AddressInfo).port}/v1`;
  // The default configuration: no DAG_APPROVERS, nothing about approval set.
  w = await env.makeWorker({ env: { OPENAI_API_KEY: ECHOED_KEY, OPENAI_BASE_URL: echoUrl, DAG_PLANNER: 'openai' } });
  await importVendorFile(w.deps, VENDOR_FIXTURE);
  await landDay(w.deps, { date: '2027-04-01', participants: 1500, seed: 1 });
}, 180_000);
afterAll(async () => {
  await w?.close();
  await env?.close();
  await new Promise<void>((r) => echo?.close(() => r()));
});

const rand = () => Math.random().toString(36).slice(2, 8);
async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 120_000): Promise<T> {
  const deadline = Date.now() + scaled(timeoutMs);
  for (;;) {
    const v = await probe().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}
type Plan = { status: string; version: number | null; history: { outcome: string; version: number | null; ignoredReason?: string }[] };
/** A nightly run that blocks on planted anomalies and opens `cleaning-<date>`, waiting for plan v1. */
async function blockedReview(date: string) {
  const nightly = await env.client.workflow.start(NightlyPipeline, {
    taskQueue: w.taskQueue,
    workflowId: `nightly-${date}-${rand()}`,
    args: [{ date, generate: { rows: 3000, anomalies: true, seed: 5 } }],
  });
  const review = env.client.workflow.getHandle(`cleaning-${date}`);
  await until('plan v1', async () => ((await review.query<Plan>('cleaningPlan')).status === 'AwaitingApproval' ? true : undefined));
  return { nightly, review };
}
const update = (h: WorkflowHandle, payload: unknown) => h.executeUpdate<Plan['history'][number], [unknown]>('cleaningDecision', { args: [payload] });
const refusalOf = async (p: Promise<unknown>) => {
  const err = await p.then(
    (answer) => new Error(`not refused; answered ${JSON.stringify(answer)}`),
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(WorkflowUpdateFailedError);
  // No server file paths: the refusal travels without the workflow's stack trace.
  expect(String((err as WorkflowUpdateFailedError).cause?.stack)).not.toMatch(/\.ts:\d+|node_modules|\bat /);
  return String((err as WorkflowUpdateFailedError).cause?.message);
};

test('1. with the default configuration, a free-text approver cannot accept a plan', async () => {
  const { nightly, review } = await blockedReview('2027-03-01');
  const refusal = await refusalOf(update(review, { decision: 'accept', approver: 'alice', reason: 'lgtm', planVersion: 1 }));
  expect(refusal).toMatch(/^refused: alice is not an approver \(approvers: local-approver\)$/);
  expect((await review.query<Plan>('cleaningPlan')).status).toBe('AwaitingApproval');
  await review.terminate('test done');
  await nightly.result().catch(() => undefined);
}, 240_000);

test('2+3. refusals are red and readable where the decision was made: stale version, malformed payload, planVersion named as sent', async () => {
  const { nightly, review } = await blockedReview('2027-03-02');
  // The Temporal UI sends an Update like the Temporal CLI does: it must fail with the reason, not succeed.
  const cli = await run(env.cliPath, [
    'workflow',
    'update',
    'execute',
    '--address',
    env.address,
    '--workflow-id',
    review.workflowId,
    '--name',
    'cleaningDecision',
    '--input',
    JSON.stringify({ decision: 'accept', approver: 'local-approver', planVersion: 7 }),
  ]).then(
    (r) => ({ code: 0, out: r.stdout + r.stderr }),
    (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, out: e.stdout + e.stderr }),
  );
  expect(cli.code).not.toBe(0);
  expect(cli.out).toContain('refused: plan v1 is awaiting a decision, not v7');

  const malformed = await refusalOf(update(review, { decision: 'maybe', approver: 'bob', planVersion: '1' }));
  expect(malformed).toBe('refused: malformed decision: decision: must be "accept", "reject" or "revise"; planVersion: must be a whole number like 1');
  expect(malformed).not.toMatch(/approval\.ts|\bat \w+ \(|\[\s*\{/);
  // A malformed signal cannot be refused: it is recorded with what was sent.
  await review.signal('cleaningDecision', { decision: 'accept', approver: 'bob', planVersion: 1, plan: 1 });
  const state = await until('the recorded signal', async () => {
    const s = await review.query<Plan>('cleaningPlan');
    return s.history.length ? s : undefined;
  });
  expect(state.history).toEqual([expect.objectContaining({ outcome: 'ignored', version: 1, ignoredReason: 'malformed decision: unknown field "plan"' })]);
  // The run's current details (the UI's summary panel) say so too, not just "awaiting approval".
  const metadata = await review.query<{ currentDetails: string }>('__temporal_workflow_metadata');
  expect(metadata.currentDetails).toMatch(
    /awaiting approval\*\*\n\n(- .+\n)+- last ignored decision: bob accept v1 — malformed decision: unknown field "plan"$/,
  );
  await review.terminate('test done');
  await nightly.result().catch(() => undefined);
}, 240_000);

test('4. `dag approvals list` and `show` find a persona model awaiting a decision, by the generic ApprovalStatus', async () => {
  const h = await env.client.workflow.start(RetrainPersonas, {
    taskQueue: w.taskQueue,
    workflowId: `retrain-bypass-${rand()}`,
    args: [{ window: { from: '2027-04-01', to: '2027-04-01' }, sampleSize: 1500, requestedBy: 'carol' }],
  });
  await until('the candidate', async () => ((await h.query<Plan>('personaModel')).status === 'AwaitingApproval' ? true : undefined));
  expect((await h.describe()).searchAttributes.ApprovalStatus).toEqual(['AwaitingApproval']);
  const dag = (...args: string[]) =>
    run(path.join(ROOT, 'bin/dag'), args, { cwd: ROOT, env: { ...process.env, TEMPORAL_ADDRESS: env.address, DAG_DATA_DIR: tempDataDir('dag-cli-') } }).then(
      (r) => r.stdout,
      (e: { stdout: string; stderr: string }) => `FAILED: ${e.stdout}${e.stderr}`,
    );
  const list = await until('the listing', async () => {
    const out = await dag('approvals', 'list');
    return out.includes(h.workflowId) ? out : undefined;
  });
  expect(list).toContain('persona model v');
  const show = await dag('approvals', 'show', h.workflowId);
  expect(show).not.toContain('FAILED');
  expect(show).toMatch(/silhouette/);
  await h.terminate('test done');
}, 240_000);

test('5. a CleaningReview started on its own is refused: the nightly is the one entry point', async () => {
  const err = await env.client.workflow
    .execute(CleaningReview, { taskQueue: w.taskQueue, workflowId: `cleaning-standalone-${rand()}`, args: [{ date: '2027-03-05' }] })
    .catch((e: unknown) => e);
  expect(err).toBeInstanceOf(WorkflowFailedError);
  expect((err as WorkflowFailedError).cause?.message).toMatch(/^CleaningReview runs as the child of NightlyPipeline.*dag run nightly --date 2027-03-05/);
});

test.each<[string, string, unknown]>([
  ['CleaningReview', 'approvers', { date: '2027-03-06', approvers: ['mallory'] }],
  ['RetrainPersonas', 'autoPromote', { window: { from: '2027-04-01', to: '2027-04-01' }, autoPromote: true }],
  ['RetrainPersonas', 'approvers', { window: { from: '2027-04-01', to: '2027-04-01' }, approvers: ['mallory'] }],
])('6. %s input cannot widen who approves (%s): refused, nothing runs', async (type, field, input) => {
  const workflowId = `widen-${rand()}`;
  const err = await env.client.workflow.execute(type, { taskQueue: w.taskQueue, workflowId, args: [input] }).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(WorkflowFailedError);
  expect((err as WorkflowFailedError).cause?.message).toMatch(new RegExp(`^${type} input: ${field}: .*only from the worker's configuration`));
  const history = await env.client.workflow.getHandle(workflowId).fetchHistory();
  // Nothing runs: the only activity is the record of how the run ended (failed: its input), in ops.workflow_runs.
  const scheduled = history.events!.flatMap((e) => (e.activityTaskScheduledEventAttributes ? [e.activityTaskScheduledEventAttributes.activityType?.name] : []));
  expect(scheduled.filter((name) => name !== 'recordWorkflowRun')).toEqual([]);
});

test('7. an upstream that echoes the API key puts it in no plan, history or audit row', async () => {
  const { nightly, review } = await blockedReview('2027-03-07');
  const plan = await review.query<{ subject: { plan: { fallbackReason?: string }; verdict: { fallbackReason?: string } } }>('cleaningPlan');
  expect(plan.subject.plan.fallbackReason).toMatch(/HTTP 401/);
  expect(plan.subject.verdict.fallbackReason).toMatch(/HTTP 401/);
  await review.terminate('test done');
  await nightly.result().catch(() => undefined);
  const histories = await Promise.all([review, nightly].map((h) => h.fetchHistory()));
  const audit = await w.deps.warehouse.query(`select * from ops.cleaning_audit where workflow_id = $id`, { id: review.workflowId });
  expect(audit.length).toBeGreaterThanOrEqual(3);
  const everything = JSON.stringify(plan) + JSON.stringify(histories) + JSON.stringify(audit);
  expect(everything).toContain('Incorrect API key provided: ***');
  expect(everything).not.toContain(ECHOED_KEY);
}, 240_000);

test('7. a malformed DAG_CONFIG_FILE names the file and the place, not the text around it', () => {
  const file = path.join(tempDataDir('cfg-'), 'dag.json');
  fs.writeFileSync(file, '{\n  "OPENAI_API_KEY": sk-live-0123456789abcdef\n}\n');
  expect(() => loadConfig({ DAG_CONFIG_FILE: file })).toThrow(/DAG_CONFIG_FILE .*dag\.json: not valid JSON \(InvalidSymbol at line 2, column 21\)/);
  let message = '';
  try {
    loadConfig({ DAG_CONFIG_FILE: file });
  } catch (err) {
    message = (err as Error).message;
  }
  expect(message).not.toMatch(/sk-live|0123456789/);
});
