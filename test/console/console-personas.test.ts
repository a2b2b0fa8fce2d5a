import * as path from 'node:path';
import { randomUUID } from 'node:crypto';
import type { Page } from 'playwright-core';
import { bootstrapPersonaTables, importVendorFile } from '../../activities/personas/import-vendor';
import { registryEntry } from '../../activities/personas/registry';
import { describeConsole, startConsole, type RunningConsole } from '../../console/start';
import { personaApproval, RetrainPersonas } from '../../workflows/retrain-personas';
import { landDay, VENDOR_FIXTURE } from '../personas/support/persona-env';
import { createTestEnv, type TestEnv, type TestWorker } from '../support/temporal';
import { launchChromium } from './support/stack';

/**
 * A persona model awaiting a decision, in the browser: the metric comparison, the centroid
 * movement chart, and an accept that promotes the candidate. The worker (the full dag worker)
 * and the console run in this process against the test run's Temporal dev server, configured as
 * the embedded default: no DAG_APPROVERS, so the one approver is the local approver, whose
 * console account is made (password printed once) on the console's first start and whose key
 * the console signs with — sign in, press Accept.
 */
let env: TestEnv;
let worker: TestWorker;
let consoleApp: RunningConsole;
let browser: Awaited<ReturnType<typeof launchChromium>>;
let page: Page;
const WINDOW = { from: '2031-04-01', to: '2031-04-02' };

beforeAll(async () => {
  env = await createTestEnv();
  worker = await env.makeWorker();
  await bootstrapPersonaTables(worker.deps.warehouse);
  await importVendorFile(worker.deps, VENDOR_FIXTURE);
  await landDay(worker.deps, { date: WINDOW.from, participants: 1500, seed: 1 });
  await landDay(worker.deps, { date: WINDOW.to, participants: 1500, seed: 2 });
  const accountsFile = path.join(worker.config.dataDir, 'console/accounts.json');
  consoleApp = await startConsole({ ...worker.config, console: { ...worker.config.console, port: 0, accountsFile } }, env.client);
  browser = await launchChromium();
  page = await browser.context.newPage();
}, 180_000);
afterAll(async () => {
  await browser?.close();
  await consoleApp?.close();
  await worker?.close();
  await env?.close();
});

test('a persona candidate shows its metric comparison and centroid movement chart; accept promotes it', async () => {
  const workflowId = `retrain-personas-${randomUUID().slice(0, 8)}`;
  const h = await env.client.workflow.start(RetrainPersonas, {
    taskQueue: worker.taskQueue,
    workflowId,
    args: [{ window: WINDOW, sampleSize: 3000, reason: 'drift on x3' }],
  });
  for (
    let s = await h.query(personaApproval.query).catch(() => undefined);
    s?.status !== 'AwaitingApproval';
    s = await h.query(personaApproval.query).catch(() => undefined)
  )
    await new Promise((r) => setTimeout(r, 250));
  const state = await h.query(personaApproval.query);
  const c = state.subject!.comparison;

  await page.goto(`${consoleApp.url}/inbox`);
  // First start of the embedded default: one account, local-approver, with a printed one-time password.
  expect(consoleApp.created.map((c) => c.name)).toEqual(['local-approver']);
  expect(describeConsole(consoleApp, worker.config.console.accountsFile)).toContain(`local-approver  ${consoleApp.created[0].password}`);
  await page.fill('input[name=name]', 'local-approver');
  await page.fill('input[name=password]', consoleApp.created[0].password);
  await page.click('form[action="/sign-in"] button[type=submit]');
  await page.waitForURL('**/inbox');
  const row = await page.locator('[data-testid=inbox] tbody tr', { hasText: workflowId }).innerText();
  expect(row).toContain(`persona model v${state.subject!.candidateVersion}`);
  expect(row).toContain('system:drift');
  await page.click(`a[href="/decisions/${workflowId}"]`);
  const metrics = await page.locator('[data-testid=metrics]').innerText();
  expect(metrics).toContain(
    `silhouette\t${c.active.silhouette.toLocaleString('en-US', { maximumFractionDigits: 4 })}\t${c.candidate.silhouette.toLocaleString('en-US', { maximumFractionDigits: 4 })}`,
  );
  expect(metrics).toContain(`${(c.labelStability * 100).toFixed(1)} % of 3,000 participants keep their persona`);
  // Two server-side SVG charts; the movement chart has one bar per persona, labelled with its name.
  expect(await page.locator('.charts svg').count()).toBe(2);
  const chart = await page.locator('.charts .chart').nth(1).innerHTML();
  for (const persona of Object.keys(c.centroidShift)) expect(chart).toContain(persona.replace(/&/g, '&amp;'));
  await page.fill('textarea[name=reason]', 'centroids barely moved');
  expect(await page.locator('[data-testid=signing]').innerText()).toMatch(/^Your decision is signed as local-approver with key \S+, held by this console\.$/);
  await page.click('button[value=accept]');
  expect(await page.locator('[data-testid=answer]').innerText()).toBe(
    `accept recorded for v${state.version} by local-approver (signature verified): the candidate is promoted and the window relabelled`,
  );
  const result = await h.result();
  expect(result.outcome).toBe('promoted');
  expect(result.decision).toMatchObject({ verifiedApprover: 'local-approver', verification: 'verified' });
  expect((await registryEntry(worker.deps)).version).toBe(result.candidateVersion);
});
