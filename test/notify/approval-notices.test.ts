import { randomUUID } from 'node:crypto';
import { importVendorFile } from '../../activities/personas/import-vendor';
import { decide } from '../../lib/approvals/client';
import { loadSigner } from '../../lib/approvals/keys';
import { personaApproval, RetrainPersonas } from '../../workflows/retrain-personas';
import { landDay, VENDOR_FIXTURE } from '../personas/support/persona-env';
import { createTestEnv, type TestEnv, type TestWorker } from '../support/temporal';
import { startWebhookReceiver, type WebhookReceiver } from './support/receivers';

/**
 * Issue #17: "after 24 h it is silently rejected; nobody is told". The approval wait itself
 * (workflows/shared/approval.ts) tells the configured channels when a decision is awaited, when
 * half of its timeout has passed, when it times out and when it is decided — each exactly once.
 * The real worker (embedded default: the local approver signs) and a local webhook receiver;
 * the subject is a persona model, quick to train (cleaning plans share the same wait).
 */
let env: TestEnv;
let w: TestWorker;
let hooks: WebhookReceiver;
// Webhook URLs are secrets (Slack's carries its token): never in a history.
const TOKEN = `hook-${randomUUID()}`;
const WINDOW = { from: '2031-06-01', to: '2031-06-01' };

beforeAll(async () => {
  env = await createTestEnv();
  hooks = await startWebhookReceiver();
  w = await env.makeWorker({
    env: {
      DAG_NOTIFY_WEBHOOKS: 'approvers=slack,audit=generic',
      DAG_WEBHOOK_APPROVERS_URL: hooks.url(`/slack/${TOKEN}`),
      DAG_WEBHOOK_AUDIT_URL: hooks.url(`/generic/${TOKEN}`),
      DAG_CONSOLE_URL: 'http://127.0.0.1:8790',
    },
  });
  await importVendorFile(w.deps, VENDOR_FIXTURE);
  await landDay(w.deps, { date: WINDOW.from, participants: 1500, seed: 3 });
}, 120_000);
afterAll(async () => {
  await w?.close();
  await hooks?.close();
  await env?.close();
});

/** The generic channel's events for one run, in the order they arrived. */
const generic = (workflowId: string) => hooks.accepted(`/generic/${TOKEN}`).filter((r) => r.body.subject.workflowId === workflowId);
const slack = (workflowId: string) => hooks.accepted(`/slack/${TOKEN}`).filter((r) => (r.body.text as string).includes(encodeURIComponent(workflowId)));

function retrain(approvalTimeout: string) {
  return env.client.workflow.start(RetrainPersonas, {
    taskQueue: w.taskQueue,
    workflowId: `retrain-notices-${randomUUID().slice(0, 8)}`,
    args: [{ window: WINDOW, sampleSize: 1500, approvalTimeout }],
  });
}

test('no decision: "awaiting", then "half_timeout" at half time, then "timed_out" — each exactly once, on every channel', async () => {
  const h = await retrain('6s');
  const result = await h.result();
  expect(result.outcome).toBe('timed_out');
  // The workflow waits for its notices before it ends: everything has arrived by now.
  expect(generic(h.workflowId).map((r) => r.body.event)).toEqual(['awaiting', 'half_timeout', 'timed_out']);
  expect(slack(h.workflowId)).toHaveLength(3);
  const [awaiting, half, timedOut] = generic(h.workflowId).map((r) => r.body);
  expect(awaiting).toMatchObject({
    subject: { type: 'persona-model', workflowId: h.workflowId, version: result.candidateVersion, date: WINDOW.to },
    title: `Decision needed: persona model v${result.candidateVersion} trained on ${WINDOW.from}..${WINDOW.to}`,
    url: `http://127.0.0.1:8790/decisions/${h.workflowId}`,
  });
  expect(awaiting.text).toMatch(/silhouette .* vs .*\(active v\d+\)/);
  expect(Date.parse(awaiting.deadline) - Date.parse(awaiting.requestedAt)).toBe(6000);
  expect(half.title).toContain('Half the time is gone');
  expect(timedOut.title).toContain('was rejected automatically');
  // One idempotency key per (run, version, event).
  expect(new Set([awaiting.id, half.id, timedOut.id]).size).toBe(3);
  const events = (await h.fetchHistory()).events ?? [];
  const timers = events.filter((e) => e.timerStartedEventAttributes).map((e) => Number(e.timerStartedEventAttributes!.startToFireTimeout!.seconds));
  expect(timers.sort()).toEqual([3, 6]);
  expect(JSON.stringify(events)).not.toContain(TOKEN);
}, 180_000);

test('a signed decision in time: "awaiting", then "decided" naming the verified approver — each exactly once; no reminder, no timeout notice', async () => {
  const h = await retrain('1 hour');
  await hooks.until(() => generic(h.workflowId).length === 1);
  const state = await h.query(personaApproval.query);
  expect(state.status).toBe('AwaitingApproval');
  const sent = await decide(env.client, h.workflowId, { decision: 'reject', reason: 'not better' }, loadSigner(w.config.approvals.signingKey!));
  expect(sent.ok).toBe(true);
  await h.result();
  expect(generic(h.workflowId).map((r) => r.body.event)).toEqual(['awaiting', 'decided']);
  expect(slack(h.workflowId)).toHaveLength(2);
  expect(generic(h.workflowId)[1].body).toMatchObject({
    decision: { decision: 'reject', approver: 'local-approver', reason: 'not better' },
    title: `persona model v${state.version} trained on ${WINDOW.from}..${WINDOW.to} rejected by local-approver`,
  });
  // The half-time reminder was armed, then cancelled with the decision (as was the wait's own timer).
  const events = (await h.fetchHistory()).events ?? [];
  const timers = events.filter((e) => e.timerStartedEventAttributes).map((e) => Number(e.timerStartedEventAttributes!.startToFireTimeout!.seconds));
  expect(timers.sort()).toEqual([1800, 3600]);
  expect(events.filter((e) => e.timerCanceledEventAttributes)).toHaveLength(2);
}, 180_000);
