import * as fs from 'node:fs';
import * as path from 'node:path';
import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { DuckDbWarehouse } from '../../adapters/warehouse/duckdb/duckdb-warehouse';
import { NightlyPipeline } from '../../workflows';
import type { NightlyResult } from '../../workflows/nightly-pipeline';
import { contentBytes } from '../history/data';
import { startChildWorker, testServer } from '../reliability/support/child-worker';
import { completedAttempts, completedResults } from '../reliability/support/observe';
import { tempDataDir } from '../support/temporal';

/**
 * loadBronzeFile is killed right after its transaction committed, before Temporal heard of it
 * (the worker process SIGKILLs itself when the attempt returns). The retry must be harmless:
 * it finds the decision its run already committed and reports it — no second audit row, no
 * "skipped, 0 rows" — and the run's summary reports what the partition holds.
 */
let client: Client;
beforeAll(async () => {
  client = new Client({ connection: await Connection.connect({ address: testServer().address }) });
});
afterAll(async () => client?.connection.close());

test('a bronze load killed right after it committed is retried harmlessly: one decision per object, the summary counts the partition', async () => {
  const date = '2026-03-11';
  const dataDir = tempDataDir('load-kill-');
  const landing = path.join(dataDir, 'objects', 'landing', date);
  fs.mkdirSync(landing, { recursive: true });
  // A self-contained day (no visit from the day before, no late order, EUR only): the run can succeed.
  fs.writeFileSync(
    path.join(landing, 'events.csv'),
    contentBytes({ source: 'events', date, variant: 2, rows: 30, shape: 'rows', firstDay: true }, 'events.csv'),
  );
  fs.writeFileSync(
    path.join(landing, 'orders.ndjson'),
    contentBytes({ source: 'orders', date, variant: 2, rows: 4, shape: 'rows', firstDay: true }, 'orders.ndjson'),
  );
  const env = { DAG_DATA_DIR: dataDir, DAG_TASK_QUEUE: `load-kill-${randomUUID()}` };
  let worker = await startChildWorker({ ...env, DAG_TEST_SIGKILL_AFTER: 'loadBronzeFile' });
  try {
    const handle = await client.workflow.start(NightlyPipeline, {
      taskQueue: env.DAG_TASK_QUEUE,
      workflowId: `load-kill-${randomUUID()}`,
      args: [{ date, review: false }],
    });
    await worker.exited; // it killed itself once the first load attempt returned
    worker = await startChildWorker(env);
    const result = (await handle.result()) as NightlyResult;
    await worker.stop('SIGTERM');

    expect(Math.max(...(await completedAttempts(handle, 'loadBronzeFile')))).toBeGreaterThanOrEqual(2);
    const loads = (await completedResults(handle, 'loadBronzeFile')) as { key: string; status: string; rowsLoaded: number }[];
    expect(loads.map((l) => [l.key.split('/').pop(), l.status, l.rowsLoaded]).sort()).toEqual([
      ['events.csv', 'loaded', 30],
      ['orders.ndjson', 'loaded', 4],
    ]);
    const wh = await DuckDbWarehouse.open({ path: path.join(dataDir, 'warehouse.duckdb') });
    try {
      const audit = await wh.query<{ k: string; status: string; n: number }>(
        `select source_key as k, status, count(*) as n from ops.load_audit where run_id = $run group by all order by 1`,
        { run: handle.firstExecutionRunId },
      );
      expect(audit.map((a) => [a.k.split('/').pop(), a.status, Number(a.n)])).toEqual([
        ['events.csv', 'loaded', 1],
        ['orders.ndjson', 'loaded', 1],
      ]);
      const [bronze] = await wh.query<{ n: number }>(
        `select (select count(*) from bronze.events where _partition_date = date '${date}') + (select count(*) from bronze.orders where _partition_date = date '${date}') as n`,
      );
      expect(Number(bronze.n)).toBe(34);
    } finally {
      await wh.close();
    }
    expect(result.status).toBe('succeeded');
    expect(result.layers.bronze).toMatchObject({ rows: 34, files: 2, bySource: { events: { rows: 30, quarantined: 0 }, orders: { rows: 4, quarantined: 0 } } });
    expect(result.summary).toMatch(/^bronze: 34 rows, 0 quarantined from 2 files · /);
  } finally {
    await worker.stop('SIGKILL');
  }
}, 300_000);
