import * as fs from 'node:fs';
import * as path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import { loadConfig } from '../config/config';
import { generateDemoData } from '../activities/generate/generate-demo-data';
import { createLogger } from '../lib/logger';
import { addDays } from '../lib/dates';
import { openDeps } from '../lib/open-deps';
import { resolveTemporalCli } from '../temporal/cli-binary';
import { startDevServer } from '../temporal/dev-server';
import { createDagWorker } from '../workers/worker';
import { NightlyPipeline } from '../workflows';
import { OUT, fmtS, machine, peakRssMb } from './lib';

/**
 * Load: N concurrent NightlyPipeline runs (default 50, one partition each, small generated
 * partitions) against ONE worker with default slots, on a real dev server. Data is generated
 * before the clock starts. Reports total wall time, per-run latency and the worker's peak RSS
 * (this process: the worker runs here), writes bench/out/section-load.md.
 *   npx tsx bench/load.ts [runs=50] [rowsPerPartition=2000]
 */
async function main() {
  const runs = Number(process.argv[2] ?? 50);
  const rows = Number(process.argv[3] ?? 2000);
  const dataDir = path.join(OUT, 'load');
  fs.rmSync(dataDir, { recursive: true, force: true });
  const config = loadConfig({ DAG_DATA_DIR: dataDir, DAG_LOG_LEVEL: 'error', DAG_TASK_QUEUE: 'bench-load' });
  const deps = { ...(await openDeps(config)), logger: createLogger({ level: 'error' }) };
  const dates = Array.from({ length: runs }, (_, i) => addDays('2025-06-01', i));
  for (const date of dates) await generateDemoData(deps, { date, rows, seed: 11, anomalies: false });
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  const server = await startDevServer({ cliPath: resolveTemporalCli()!, headless: true });
  const connection = await NativeConnection.connect({ address: server.address });
  const worker = await createDagWorker({ connection, deps, taskQueue: 'bench-load' });
  const client = new Client({ connection: await Connection.connect({ address: server.address }) });
  const running = worker.run();
  const rssBefore = peakRssMb();
  const started = Date.now();
  const latencies: number[] = [];
  const results = await Promise.all(
    dates.map(async (date) => {
      const t = Date.now();
      const r = await client.workflow.execute(NightlyPipeline, { taskQueue: 'bench-load', workflowId: `load-${date}`, args: [{ date, review: false }] });
      latencies.push(Date.now() - t);
      return r;
    }),
  );
  const wallMs = Date.now() - started;
  worker.shutdown();
  await running;
  await server.stop();
  const statuses = results.reduce<Record<string, number>>((c, r) => ({ ...c, [r.status]: (c[r.status] ?? 0) + 1 }), {});
  const bronzeRows = results.reduce((s, r) => s + r.layers.bronze.rows, 0);
  latencies.sort((a, b) => a - b);
  const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))];
  const md = [
    `### Load: ${runs} concurrent NightlyPipeline runs against one worker`,
    '',
    `${runs} partitions × ${rows.toLocaleString('en-US')} generated events (${bronzeRows.toLocaleString('en-US')} bronze rows in all), all started at once; one worker (${config.worker.maxConcurrentActivities} activity slots, ${config.worker.maxConcurrentWorkflowTasks} workflow-task slots), DuckDB, embedded dev server. Machine: ${machine()}.`,
    '',
    '| runs | outcome | total wall s | run latency p50 s | p95 s | max s | worker peak RSS MB (before runs) |',
    '|---:|---|---:|---:|---:|---:|---:|',
    `| ${runs} | ${Object.entries(statuses)
      .map(([k, v]) => `${v} ${k}`)
      .join(', ')} | ${fmtS(wallMs)} | ${fmtS(pct(50))} | ${fmtS(pct(95))} | ${fmtS(latencies[latencies.length - 1])} | ${peakRssMb()} (${rssBefore}) |`,
    '',
  ].join('\n');
  fs.writeFileSync(path.join(OUT, 'section-load.md'), md);
  process.stdout.write(md + '\n');
  await deps.warehouse.close();
}

main().catch((err) => {
  process.stderr.write(String(err?.stack ?? err) + '\n');
  process.exit(1);
});
