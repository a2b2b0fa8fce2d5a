import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { loadConfig } from '../config/config';
import { generateDemoData } from '../activities/generate/generate-demo-data';
import { addDays, dateRange } from '../lib/dates';
import { createLogger } from '../lib/logger';
import { openDeps } from '../lib/open-deps';
import { resolveTemporalCli } from '../temporal/cli-binary';
import { startDevServer } from '../temporal/dev-server';
import { OUT, fmtInt, gitRev, machine } from './lib';

/**
 * A backfill as a user runs it (issue #14): N days of demo data (default 90 × 200,000 events,
 * with the late-arrival scenario: visits across midnight, orders a day late, FX rates) are
 * generated into the landing area first (not timed); then a real `dag worker` process and the
 * real `dag backfill --max-concurrent <lanes>` run against a dev server, and the wall time of the
 * backfill command is measured. Also counted: NightlyPipeline runs beyond one per day (re-runs of
 * a day whose sessions continue a day that ran after it, continue-as-new restarts).
 *
 *   npx tsx bench/backfill.ts [--days 90] [--rows 200000] [--lanes 2] [--from 2026-06-01]
 *
 * Writes bench/out/section-backfill.md (appended to bench/RESULTS.md by `npm run bench`).
 */
function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

const DAG = path.resolve(__dirname, '../bin/dag');

async function main() {
  const days = Number(arg('days', '90'));
  const rows = Number(arg('rows', '200000'));
  const lanes = Number(arg('lanes', '2'));
  const from = arg('from', '2026-06-01');
  const to = addDays(from, days - 1);
  const dataDir = path.join(OUT, `backfill-${days}x${rows}`);
  fs.rmSync(dataDir, { recursive: true, force: true });
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '',
    DAG_DATA_DIR: dataDir,
    DAG_TASK_QUEUE: 'bench-backfill',
    DAG_LOG_LEVEL: 'error',
    DAG_METRICS_PORT: String(await freePort()),
    DAG_TEMPORAL_METRICS_PORT: String(await freePort()),
  };

  const genStarted = Date.now();
  const deps = { ...(await openDeps(loadConfig(env))), logger: createLogger({ level: 'error' }) };
  for (const [i, date] of dateRange(from, to).entries()) {
    process.stderr.write(`\rgenerating ${date} (${i + 1}/${days}, ${fmtInt(rows)} events, late arrivals on)…`);
    await generateDemoData(deps, { date, rows, seed: 14, anomalies: false, lateArrivals: true });
  }
  await deps.warehouse.close();
  process.stderr.write(`\ngenerated in ${((Date.now() - genStarted) / 1000).toFixed(0)} s\n`);

  const server = await startDevServer({ cliPath: resolveTemporalCli()!, headless: true });
  env.TEMPORAL_ADDRESS = server.address;
  // The worker logs JSON lines on stderr; it is ready once it says "worker started".
  const worker = spawn(process.execPath, [DAG, 'worker'], { env: { ...env, DAG_LOG_LEVEL: 'info' }, stdio: ['ignore', 'ignore', 'pipe'] });
  try {
    await new Promise<void>((resolve, reject) => {
      worker.stderr!.on('data', (d) => String(d).includes('worker started') && resolve());
      worker.once('exit', (code) => reject(new Error(`dag worker exited ${code} before it was ready`)));
    });
    process.stderr.write(`dag backfill --from ${from} --to ${to} --max-concurrent ${lanes}…\n`);
    const started = Date.now();
    const out = await new Promise<string>((resolve, reject) => {
      const cli = spawn(process.execPath, [DAG, 'backfill', '--from', from, '--to', to, '--max-concurrent', String(lanes), '--json'], {
        env,
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      let text = '';
      cli.stdout.on('data', (d) => (text += d));
      cli.once('exit', (code) => (code === 0 ? resolve(text) : reject(new Error(`dag backfill exited ${code}: ${text.slice(-500)}`))));
    });
    const wallMs = Date.now() - started;
    const result = JSON.parse(out) as { counts: Record<string, number> };
    const client = new Client({ connection: await Connection.connect({ address: server.address }) });
    let runs = 0;
    for await (const _ of client.workflow.list({ query: `WorkflowType = 'NightlyPipeline'` })) runs++;
    await client.connection.close();

    const daysPerHour = days / (wallMs / 3_600_000);
    const section = [
      `## Backfill: ${days} days × ${fmtInt(rows)} events, ${lanes} lanes (\`dag backfill\`)`,
      '',
      `${new Date().toISOString().slice(0, 10)} · commit ${gitRev()} · ${machine()}`,
      '',
      '| wall time | days / hour | succeeded | blocked | failed | NightlyPipeline runs (incl. re-runs) |',
      '| --- | --- | --- | --- | --- | --- |',
      `| ${(wallMs / 60_000).toFixed(1)} min | ${daysPerHour.toFixed(1)} | ${result.counts.succeeded} | ${result.counts.blocked} | ${result.counts.failed} | ${runs} |`,
      '',
      'Data: the demo generator with its late-arrival scenario (visits across midnight, orders one day late, daily FX rates), generated before the timed part. ' +
        'Re-runs: a day whose sessions continue a day that finished after it is rebuilt once (README "Visits across midnight").',
      '',
    ].join('\n');
    fs.writeFileSync(path.join(OUT, 'section-backfill.md'), section);
    process.stderr.write(section);
    process.stdout.write(JSON.stringify({ days, rows, lanes, wallMs, daysPerHour, counts: result.counts, nightlyRuns: runs }) + '\n');
  } finally {
    worker.kill('SIGTERM');
    await new Promise((r) => worker.once('exit', r));
    await server.stop();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`bench/backfill: ${(err as Error).message}\n`);
  process.exit(1);
});
