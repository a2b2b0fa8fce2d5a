import * as path from 'node:path';
import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { freePort, startDevServer, type DevServer } from '../../temporal/dev-server';
import { NightlyPipeline } from '../../workflows';
import { tempDataDir } from '../support/temporal';
import { startChildWorker, testServer, type ChildWorker } from './support/child-worker';
import { tableCounts, waitUntilRunning } from './support/observe';

/**
 * The embedded Temporal server is stopped in the middle of two nightly runs and started again
 * on its SQLite file (what `dag dev` uses): the worker process reconnects by itself, and both
 * runs resume and complete with every row of their partitions.
 */
const dir = tempDataDir('server-restart-');
const dbFile = path.join(dir, 'temporal.sqlite');
let server: DevServer;
let worker: ChildWorker | undefined;
let client: Client | undefined;

afterAll(async () => {
  await worker?.stop('SIGKILL');
  await client?.connection.close();
  await server?.stop();
});

test('running workflows resume and complete after the dev server restarts on its SQLite file', async () => {
  const port = await freePort();
  const start = () => startDevServer({ cliPath: testServer().cliPath, dbFile, port, headless: true, logFile: path.join(dir, 'temporal.log') });
  server = await start();
  const taskQueue = `restart-${randomUUID()}`;
  worker = await startChildWorker({ TEMPORAL_ADDRESS: server.address, DAG_DATA_DIR: path.join(dir, 'data'), DAG_TASK_QUEUE: taskQueue });
  client = new Client({ connection: await Connection.connect({ address: server.address }) });
  const dates = ['2026-04-01', '2026-04-02'];
  const handles = await Promise.all(
    dates.map((date) =>
      client!.workflow.start(NightlyPipeline, {
        taskQueue,
        workflowId: `restart-${date}-${randomUUID()}`,
        args: [{ date, generate: { rows: 10_000, anomalies: false, seed: 2 } }],
      }),
    ),
  );
  await waitUntilRunning(handles[1], 'buildModel');

  await server.stop();
  await new Promise((r) => setTimeout(r, 2000));
  server = await start();

  const results = await Promise.all(handles.map((h) => h.result()));
  expect(results.map((r) => r.status)).toEqual(['succeeded', 'succeeded']);
  expect(worker.process.exitCode).toBeNull(); // the same worker process carried on
  await worker.stop('SIGTERM');
  const counts = await tableCounts(path.join(dir, 'data', 'warehouse.duckdb'));
  expect(counts['ops.gold_publications']).toBe(2);
  expect(counts['gold.daily_kpis']).toBe(2);
  expect(counts['bronze.events']).toBe(results.reduce((s, r) => s + r.loads.find((l) => l.source === 'events')!.rowsLoaded, 0));
  expect(results.every((r) => r.loads.every((l) => l.status === 'loaded'))).toBe(true);
}, 240_000);
