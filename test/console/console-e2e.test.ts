import * as fs from 'node:fs';
import * as path from 'node:path';
import { randomUUID } from 'node:crypto';
import type { Page } from 'playwright-core';
import { LocalAccounts } from '../../console/auth/local-accounts';
import { decide as decideWithClient } from '../../lib/approvals/client';
import { approverLine, generateKeyPair, signerFromKey, writeKeyFile } from '../../lib/approvals/keys';
import { NightlyPipeline } from '../../workflows/nightly-pipeline';
import { cleaningApproval } from '../../workflows/cleaning-review';
import { createTestEnv, tempDataDir, type TestEnv } from '../support/temporal';
import { startWebhookReceiver, type WebhookReceiver } from '../notify/support/receivers';
import { freePort, launchChromium, startDagDev, type DevStack } from './support/stack';

/**
 * The approvals console in a real browser (Debian chromium via playwright-core) against the real
 * stack: `dag dev` as a child process (worker + console) on the test run's Temporal dev server.
 * Three partitions are blocked by planted anomalies: one is accepted, one rejected, one revised.
 * Decisions are signed by the console with the signed-in approver's key file; the worker knows
 * only the public keys (DAG_APPROVERS=name=<public key>).
 */
const ACCEPT = '2031-03-11';
const REJECT = '2031-03-12';
const REVISE = '2031-03-13';
const PASSWORD = {
  alice: 'alice-password-1',
  bob: 'bob-password-22',
  mallory: 'mallory-password-3',
  carol: 'carol-password-44',
  dave: 'dave-password-555',
};
// alice and bob: listed, and the console holds their keys. mallory: a key, but not listed. carol:
// listed with one key while the console holds another (a key the worker never saw). dave: listed,
// but the console holds no key for him (his decisions go unsigned).
const keys = {
  alice: generateKeyPair('alice'),
  bob: generateKeyPair('bob'),
  mallory: generateKeyPair('mallory'),
  carol: generateKeyPair('carol'),
  carolListed: generateKeyPair('carol'),
  dave: generateKeyPair('dave'),
};
const WEBHOOK_SECRET = `hook-secret-${randomUUID()}`;

let env: TestEnv;
let stack: DevStack;
let browser: Awaited<ReturnType<typeof launchChromium>>;
let page: Page;
let dataDir: string;
let hooks: WebhookReceiver;
const taskQueue = `console-e2e-${randomUUID()}`;

beforeAll(async () => {
  env = await createTestEnv();
  dataDir = tempDataDir('dag-console-e2e-');
  // mallory has a console account but is not an approver: signing in is not the right to decide.
  const accounts = new LocalAccounts(path.join(dataDir, 'console/accounts.json'));
  for (const [name, pw] of Object.entries(PASSWORD)) await accounts.setPassword(name, pw);
  // The console's key files, where `dag approvals keygen --approver NAME` writes them (mode 0600).
  for (const k of [keys.alice, keys.bob, keys.mallory, keys.carol]) writeKeyFile(path.join(dataDir, 'approvers', `${k.approver}.key`), k);
  const port = await freePort();
  hooks = await startWebhookReceiver();
  [stack, browser] = await Promise.all([
    startDagDev({
      TEMPORAL_ADDRESS: env.address,
      DAG_TASK_QUEUE: taskQueue,
      DAG_DATA_DIR: dataDir,
      DAG_APPROVERS: [keys.alice, keys.bob, keys.carolListed, keys.dave].map(approverLine).join(','),
      DAG_CONSOLE_PORT: String(port),
      DAG_TEMPORAL_UI_URL: 'http://127.0.0.1:8233',
      // Two channels at a local receiver; their URLs carry a token the pages must never show.
      DAG_NOTIFY_WEBHOOKS: 'approvers=slack,audit=generic',
      DAG_WEBHOOK_APPROVERS_URL: hooks.url(`/slack/${WEBHOOK_SECRET}`),
      DAG_WEBHOOK_AUDIT_URL: hooks.url(`/generic/${WEBHOOK_SECRET}`),
    }),
    launchChromium(),
  ]);
  page = await browser.context.newPage();
  await Promise.all(
    [ACCEPT, REJECT, REVISE].map((date) =>
      env.client.workflow.start(NightlyPipeline, {
        taskQueue,
        workflowId: `nightly-${date}`,
        args: [{ date, generate: { rows: 5000, anomalies: true, seed: 42 } }],
      }),
    ),
  );
  await Promise.all([ACCEPT, REJECT, REVISE].map((date) => awaitingPlan(`cleaning-${date}`, 1)));
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
  await hooks?.close();
  await env?.close();
});

async function awaitingPlan(workflowId: string, version: number): Promise<void> {
  const deadline = Date.now() + 240_000;
  for (;;) {
    const s = await env.client.workflow
      .getHandle(workflowId)
      .query(cleaningApproval.query)
      .catch(() => undefined);
    if (s?.status === 'AwaitingApproval' && s.version === version) return;
    if (Date.now() > deadline) throw new Error(`${workflowId}: v${version} never awaited a decision (${s?.status} v${s?.version})`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

async function signIn(name: keyof typeof PASSWORD, next = '/inbox') {
  await browser.context.clearCookies();
  await page.goto(`${stack.url}${next}`);
  await page.fill('input[name=name]', name);
  await page.fill('input[name=password]', PASSWORD[name]);
  await page.click('form[action="/sign-in"] button[type=submit]');
  await page.waitForURL(`**${next}`);
}

const answer = () => page.locator('[data-testid=answer]').innerText();
async function decide(decision: 'accept' | 'reject' | 'revise', reason: string, on: Page = page) {
  await on.fill('textarea[name=reason]', reason);
  await on.click(`button[value=${decision}]`);
  return on.locator('[data-testid=answer]').innerText();
}
/** The notices a review sent, per channel, as [event, version] in arrival order. */
const notices = (workflowId: string) => ({
  generic: hooks.accepted(`/generic/${WEBHOOK_SECRET}`).filter((r) => r.body.subject.workflowId === workflowId),
  slack: hooks.accepted(`/slack/${WEBHOOK_SECRET}`).filter((r) => (r.body.text as string).endsWith(`/decisions/${workflowId}`)),
});
const events = (workflowId: string) => notices(workflowId).generic.map((r) => [r.body.event, r.body.subject.version]);

const manifest = (date: string) =>
  JSON.parse(fs.readFileSync(path.join(dataDir, 'objects/landing', date, '_manifest.json'), 'utf8')) as { anomalies: Record<string, number> };

test('sign-in: a wrong password is refused in one line; the pages need a session', async () => {
  await browser.context.clearCookies();
  await page.goto(`${stack.url}/inbox`);
  expect(new URL(page.url()).pathname).toBe('/sign-in');
  await page.fill('input[name=name]', 'bob');
  await page.fill('input[name=password]', 'not-his-password');
  await page.click('form[action="/sign-in"] button[type=submit]');
  expect(await page.locator('[role=alert]').innerText()).toBe('Wrong name or password.');
  const cookies = await browser.context.cookies();
  expect(cookies.find((c) => c.name === 'dag_console_session')).toMatchObject({ httpOnly: true, sameSite: 'Lax' });
});

test('the inbox lists the blocked partitions’ plans with failing checks, age and time left', async () => {
  await signIn('bob');
  const rows = await page.locator('[data-testid=inbox] tbody tr').allInnerTexts();
  const ours = rows.filter((r) => r.includes('2031-03-1'));
  expect(ours).toHaveLength(3);
  for (const date of [ACCEPT, REJECT, REVISE]) {
    const row = ours.find((r) => r.includes(`plan v1 for partition ${date}`))!;
    expect(row).toContain('future_timestamps, negative_revenue, orphan_purchases');
    expect(row).toMatch(/23 h 5\d min/);
    expect(row).toContain('system:nightly');
  }
});

test('the decision page shows the planted anomalies as sample rows, with counts that match the generator', async () => {
  await signIn('bob', `/decisions/cleaning-${ACCEPT}`);
  const planted = manifest(ACCEPT).anomalies;
  const ops = page.locator('[data-testid^=samples-]');
  expect(await ops.count()).toBe(3);
  const [future, negative, orphan] = await ops.allInnerTexts();
  expect(future).toContain(`${planted.future_timestamp} taken out, 0 changed`);
  expect(negative).toContain(`${planted.negative_revenue} taken out, 0 changed`);
  expect(orphan).toContain(`${planted.orphan_order} taken out, 0 changed`);
  // The rows themselves: negative revenue, timestamps in the future, struck out as removed.
  const revenues = await page.locator('[data-testid=samples-2] tr.removed td:nth-child(7)').allInnerTexts();
  expect(revenues.length).toBe(planted.negative_revenue);
  for (const r of revenues) expect(Number(r)).toBeLessThan(0);
  const eventTimes = await page.locator('[data-testid=samples-1] tr.removed td:nth-child(5)').allInnerTexts();
  for (const t of eventTimes) expect(t > ACCEPT).toBe(true);
  // Customer identifiers are pseudonyms, as the planner sees them.
  expect(future).toMatch(/masked_[0-9a-f]{10}/);
  expect(await page.locator('[data-testid=checks]').innerText()).toMatch(/negative_revenue\s+blocking\s+2\s+0\s+fail\s+pass observed 0/);
  expect(await page.locator('[data-testid=verdict]').innerText()).toContain('approve');
  const html = await page.content();
  expect(html).not.toContain(WEBHOOK_SECRET);
  expect(html).not.toContain('file://');
});

test('an unlisted approver, a key the worker does not know and a missing signature are refused with the workflow’s words; nothing is decided', async () => {
  await signIn('mallory', `/decisions/cleaning-${ACCEPT}`);
  expect(await page.locator('[data-testid=signing]').innerText()).toBe(
    `Your decision is signed as mallory with key ${keys.mallory.keyId}, held by this console.`,
  );
  expect(await decide('accept', 'looks fine to me')).toBe('refused: mallory is not an approver (approvers: alice, bob, carol, dave)');
  await signIn('carol', `/decisions/cleaning-${ACCEPT}`);
  expect(await decide('accept', 'signed with a key nobody listed')).toBe(`refused: key ${keys.carol.keyId} is not a configured approver key`);
  await signIn('dave', `/decisions/cleaning-${ACCEPT}`);
  expect(await page.locator('[data-testid=signing]').innerText()).toContain('Note: this console holds no signing key for dave');
  const unsigned = await decide('accept', 'no key here');
  expect(unsigned).toMatch(
    /^refused: the decision is not signed: sign it with the approver's key \(dag approvals accept …\) \(this console holds no signing key for dave/,
  );
  // Refused updates never enter history; the client records each as an audit-only signal, ignored.
  const h = env.client.workflow.getHandle(`cleaning-${ACCEPT}`);
  const s = await until(
    () => h.query(cleaningApproval.query),
    (q) => q.history.length >= 3,
  );
  expect(s.status).toBe('AwaitingApproval');
  expect(s.history.map((r) => [r.approver, r.via, r.outcome])).toEqual([
    ['mallory', 'refused-update', 'ignored'],
    ['carol', 'refused-update', 'ignored'],
    ['dave', 'refused-update', 'ignored'],
  ]);
});

test('a form without the session’s CSRF token, or from another origin, is refused and decides nothing', async () => {
  await signIn('bob', `/decisions/cleaning-${ACCEPT}`);
  const noToken = await page.request.post(`${stack.url}/decisions/cleaning-${ACCEPT}/decide`, {
    form: { decision: 'accept', version: '1', reason: 'forged' },
    maxRedirects: 0,
  });
  expect(noToken.status()).toBe(403);
  const csrf = await page.locator('input[name=csrf]').first().inputValue();
  const crossSite = await page.request.post(`${stack.url}/decisions/cleaning-${ACCEPT}/decide`, {
    form: { decision: 'accept', version: '1', reason: 'forged', csrf },
    headers: { origin: 'http://evil.example' },
    maxRedirects: 0,
  });
  expect(crossSite.status()).toBe(403);
  const s = await env.client.workflow.getHandle(`cleaning-${ACCEPT}`).query(cleaningApproval.query);
  expect(s.history.filter((r) => r.approver === 'bob')).toEqual([]);
});

test('accept → the plan is applied, the nightly resumes and publishes, the partitions grid turns green, and each notice arrived exactly once', async () => {
  await signIn('bob', `/decisions/cleaning-${ACCEPT}`);
  expect(await decide('accept', 'refunds booked as sales')).toBe(
    'accept recorded for v1 by bob (signature verified): the plan is applied and the checks run again',
  );
  const nightly = await env.client.workflow.getHandle(`nightly-${ACCEPT}`).result();
  expect(nightly.status).toBe('succeeded');
  // Notifications: "awaiting" and "decided" reached both channels exactly once each — the three
  // refused decisions sent none, and the review waited for its notices before it ended.
  expect(events(`cleaning-${ACCEPT}`)).toEqual([
    ['awaiting', 1],
    ['decided', 1],
  ]);
  const sent = notices(`cleaning-${ACCEPT}`);
  expect(sent.slack.map((r) => r.body.text)).toEqual([
    `Decision needed: cleaning plan v1 for ${ACCEPT} — ${stack.url}/decisions/cleaning-${ACCEPT}`,
    `cleaning plan v1 for ${ACCEPT} accepted by bob — ${stack.url}/decisions/cleaning-${ACCEPT}`,
  ]);
  expect(sent.generic[1].body.decision).toEqual({ decision: 'accept', approver: 'bob', reason: 'refunds booked as sales' });
  expect(sent.generic[0].headers['idempotency-key']).toBe(sent.generic[0].body.id);
  // The notice's link opens the decision page, which shows the decision.
  await page.goto(sent.generic[1].body.url);
  expect(await page.locator('dl.facts .badge').innerText()).toBe('Accepted');
  await page.goto(`${stack.url}/partitions?from=${ACCEPT}&to=${REVISE}`);
  const cell = (date: string, layer: string) => page.locator(`tr[data-date="${date}"] td[data-layer=${layer}]`);
  for (const layer of ['bronze', 'silver', 'gold', 'attribution']) expect(await cell(ACCEPT, layer).getAttribute('data-status')).toBe('ok');
  expect(await cell(ACCEPT, 'gold').innerText()).toMatch(/published/);
  // The other two still wait for a decision.
  expect(await cell(REJECT, 'silver').getAttribute('data-status')).toBe('blocked');
  expect(await cell(REJECT, 'silver').innerText()).toContain('awaiting approval');
  // Reports are served by the console, not as file:// links.
  const report = cell(ACCEPT, 'attribution').locator('a', { hasText: 'report' });
  const href = (await report.getAttribute('href'))!;
  expect(href).toBe(`/reports/reports/attribution/${ACCEPT}_${ACCEPT}/report.html`);
  const served = await page.request.get(`${stack.url}${href}`);
  expect(served.status()).toBe(200);
  expect(served.headers()['content-type']).toContain('text/html');
  expect(served.headers()['content-security-policy']).toContain('sandbox');
  expect(await cell(ACCEPT, 'bronze').locator('a').getAttribute('href')).toBe(`http://127.0.0.1:8233/namespaces/default/workflows/nightly-${ACCEPT}`);
  // The decision page now shows the decision in its history.
  await page.goto(`${stack.url}/decisions/cleaning-${ACCEPT}`);
  expect(await page.locator('[data-testid=history]').innerText()).toMatch(/bob\s+accept via update\s+v1\s+applied/);
  const review = await env.client.workflow.getHandle(`cleaning-${ACCEPT}`).query(cleaningApproval.query);
  expect(review.history.find((r) => r.outcome === 'applied')).toMatchObject({ verifiedApprover: 'bob', keyId: keys.bob.keyId, verification: 'verified' });
});

test('reject → the partition stays blocked and the nightly says why', async () => {
  await signIn('alice', `/decisions/cleaning-${REJECT}`);
  expect(await decide('reject', 'the negative revenue is real: refunds, fix the source')).toBe(
    'reject recorded for v1 by alice (signature verified): the partition stays blocked',
  );
  const nightly = await env.client.workflow.getHandle(`nightly-${REJECT}`).result();
  expect(nightly.status).toBe('blocked');
  expect(nightly.summary).toContain('rejected by alice (signature verified): the negative revenue is real');
  await page.goto(`${stack.url}/partitions?from=${REJECT}&to=${REJECT}`);
  expect(await page.locator(`tr[data-date="${REJECT}"] td[data-layer=gold]`).getAttribute('data-status')).toBe('blocked');
});

test('revise → a new version is planned; a decision on the old version, from a page still showing it, is refused as stale', async () => {
  await signIn('bob', `/decisions/cleaning-${REVISE}`);
  const stale = await browser.context.newPage();
  await stale.goto(`${stack.url}/decisions/cleaning-${REVISE}`);
  expect(await decide('revise', 'keep the orphan orders, they are phone orders')).toBe(
    'revise recorded for v1 by bob (signature verified): a new version is being planned',
  );
  await awaitingPlan(`cleaning-${REVISE}`, 2);
  expect(await decide('accept', 'v1 looked right', stale)).toBe('refused: plan v2 is awaiting a decision, not v1');
  await stale.close();
  await page.goto(`${stack.url}/decisions/cleaning-${REVISE}`);
  expect(await page.locator('h1').innerText()).toBe(`cleaning plan v2 for ${REVISE}`);
  expect(await page.locator('button[value=accept]').innerText()).toBe('Accept v2');
  // The CLI's path (the same client, the same signed Update) works alongside the console.
  const sent = await decideWithClient(env.client, `cleaning-${REVISE}`, { decision: 'reject', reason: 'done here' }, signerFromKey(keys.alice));
  expect(sent).toMatchObject({ ok: true, record: { outcome: 'applied', verifiedApprover: 'alice' } });
  await env.client.workflow.getHandle(`nightly-${REVISE}`).result();
  // One "awaiting" and one "decided" per version, on both channels.
  expect(events(`cleaning-${REVISE}`)).toEqual([
    ['awaiting', 1],
    ['decided', 1],
    ['awaiting', 2],
    ['decided', 2],
  ]);
  expect(notices(`cleaning-${REVISE}`).slack).toHaveLength(4);
  await page.reload();
  expect(await answerOrNone()).toBe(null);
  expect(await page.locator('[data-testid=decide]').count()).toBe(0);
});

/** Polls `read` until `done` holds (workflow state catching up with a signal). */
async function until<T>(read: () => Promise<T>, done: (v: T) => boolean, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await read();
    if (done(v)) return v;
    if (Date.now() > deadline) throw new Error(`condition not met: ${JSON.stringify(v).slice(0, 500)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

async function answerOrNone(): Promise<string | null> {
  return (await page.locator('[data-testid=answer]').count()) ? answer() : null;
}
