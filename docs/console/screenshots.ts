/**
 * Regenerates the console screenshots in this folder: `npx tsx docs/console/screenshots.ts`.
 * Brings up the embedded stack on free ports in a temporary data dir, runs one clean and one
 * blocked nightly on demo data and a persona retrain, signs in with Debian's chromium
 * (playwright-core) and captures each page.
 */
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { chromium } from 'playwright-core';
import { bootstrapPersonaTables, importVendorFile } from '../../activities/personas/import-vendor';
import { labelParticipants } from '../../activities/personas/label';
import { generateSurveyParticipants, loadSurveyParticipants } from '../../activities/personas/participants';
import { startEmbedded } from '../../cli/dev';
import { loadConfig } from '../../config/config';
import { connectClient } from '../../temporal/connection';
import { NightlyPipeline } from '../../workflows/nightly-pipeline';
import { cleaningApproval } from '../../workflows/cleaning-review';
import { personaApproval, RetrainPersonas } from '../../workflows/retrain-personas';

const OUT = __dirname;
const free = async () => {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
};
const until = async (what: string, ok: () => Promise<boolean>) => {
  for (let i = 0; i < 1200 && !(await ok().catch(() => false)); i++) await new Promise((r) => setTimeout(r, 250));
  if (!(await ok().catch(() => false))) throw new Error(`${what}: not reached`);
};

async function main() {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'dag-screenshots-'));
  const env = {
    ...process.env,
    DAG_DATA_DIR: dataDir,
    DAG_TEMPORAL_PORT: String(await free()),
    DAG_TEMPORAL_UI_PORT: String(await free()),
    DAG_CONSOLE_PORT: String(await free()),
    DAG_LOG_LEVEL: 'warn',
  };
  const config = loadConfig(env);
  const stack = await startEmbedded(config);
  const client = await connectClient(config, stack.address);
  const run = (date: string, anomalies: boolean) =>
    client.workflow.start(NightlyPipeline, {
      taskQueue: config.temporal.taskQueue,
      workflowId: `nightly-${date}`,
      args: [{ date, generate: { rows: 20_000, anomalies, seed: 42 } }],
    });
  await (await run('2026-11-01', false)).result();
  await run('2026-11-02', true);
  await bootstrapPersonaTables(stack.deps.warehouse);
  await importVendorFile(stack.deps, path.resolve(__dirname, '../../test/fixtures/personas/vendor-personas.csv'));
  for (const [i, date] of ['2026-11-01', '2026-11-02'].entries()) {
    await generateSurveyParticipants(stack.deps, { date, participants: 1500, seed: i + 1 });
    await loadSurveyParticipants(stack.deps, { date });
    await labelParticipants(stack.deps, { date });
  }
  const retrain = await client.workflow.start(RetrainPersonas, {
    taskQueue: config.temporal.taskQueue,
    workflowId: 'retrain-personas-2026-11-02',
    args: [{ window: { from: '2026-11-01', to: '2026-11-02' }, sampleSize: 3000, reason: 'drift on x3 and x7' }],
  });
  await until(
    'plan awaiting',
    async () => (await client.workflow.getHandle('cleaning-2026-11-02').query(cleaningApproval.query)).status === 'AwaitingApproval',
  );
  await until('model awaiting', async () => (await retrain.query(personaApproval.query)).status === 'AwaitingApproval');

  // The embedded default's one approver and its console account, made on this first start.
  const approver = stack.console!.created.find((a) => a.name === 'local-approver')!;
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run'] });
  const page = await browser.newPage({ viewport: { width: 1200, height: 760 } });
  const base = stack.console!.url;
  const shot = async (name: string, fullPage = true) => {
    // Full pages are cut at 1,700 px: enough to show every section, small enough for the README.
    const height = Number(await page.evaluate('document.documentElement.scrollHeight'));
    await page.screenshot({
      path: path.join(OUT, `${name}.png`),
      fullPage,
      ...(fullPage && height > 1700 ? { clip: { x: 0, y: 0, width: 1200, height: 1700 } } : {}),
    });
    process.stdout.write(`${name}.png ${fs.statSync(path.join(OUT, `${name}.png`)).size} bytes\n`);
  };
  await page.goto(`${base}/inbox`);
  await shot('sign-in', false);
  await page.fill('input[name=name]', approver.name);
  await page.fill('input[name=password]', approver.password);
  await page.click('form[action="/sign-in"] button[type=submit]');
  await page.waitForURL('**/inbox');
  await shot('inbox', false);
  await page.goto(`${base}/decisions/cleaning-2026-11-02`);
  await shot('decision-cleaning-plan');
  // The sample rows of the first two operations, close up.
  const samples = page.locator('section', { hasText: 'Sample rows before and after' });
  await samples.screenshot({ path: path.join(OUT, 'decision-sample-rows.png') });
  process.stdout.write(`decision-sample-rows.png ${fs.statSync(path.join(OUT, 'decision-sample-rows.png')).size} bytes\n`);
  await page.goto(`${base}/decisions/retrain-personas-2026-11-02`);
  await shot('decision-persona-model');
  await page.goto(`${base}/partitions?from=2026-10-27&to=2026-11-02`);
  await shot('partitions', false);
  await browser.close();
  await client.connection.close();
  await stack.stop();
  fs.rmSync(dataDir, { recursive: true, force: true });
}

main().catch((err) => {
  process.stderr.write(`screenshots: ${String(err?.stack ?? err)}\n`);
  process.exit(1);
});
