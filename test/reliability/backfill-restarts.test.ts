import * as path from 'node:path';
import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { Backfill, backfillProgress } from '../../workflows/backfill';
import { nightlyWorkflowId } from '../../workflows/shared/names';
import { dateRange } from '../../lib/dates';
import { tempDataDir } from '../support/temporal';
import { startChildWorker, testServer, type ChildWorker } from './support/child-worker';
import { tableCounts } from './support/observe';
import { DuckDbWarehouse } from '../../adapters/warehouse/duckdb/duckdb-warehouse';

/**
 * A 90-day backfill (small partitions, 4 dates at a time) while the worker process is
 * restarted twice, as a deploy does (SIGTERM: running activities finish within the grace time,
 * workflows continue on the next process). SIGKILL is covered by worker-kill.test.ts.
 */
const FROM = '2025-01-01';
const TO = '2025-03-31';
let client: Client;
let worker: ChildWorker | undefined;
beforeAll(async () => {
  client = new Client({ connection: await Connection.connect({ address: testServer().address }) });
});
afterAll(async () => {
  await worker?.stop('SIGKILL');
  await client?.connection.close();
});

test('90 days complete, each exactly once, across two worker restarts', async () => {
  const dates = dateRange(FROM, TO);
  expect(dates).toHaveLength(90);
  const dataDir = tempDataDir('backfill-restarts-');
  const env = { DAG_DATA_DIR: dataDir, DAG_TASK_QUEUE: `backfill-${randomUUID()}`, DAG_LOG_LEVEL: 'warn' };
  worker = await startChildWorker(env);
  const handle = await client.workflow.start(Backfill, {
    taskQueue: env.DAG_TASK_QUEUE,
    workflowId: `backfill-restarts-${randomUUID()}`,
    args: [{ from: FROM, to: TO, maxConcurrent: 4, generate: { rows: 150, anomalies: false, seed: 1 } }],
  });
  for (const after of [20, 50]) {
    for (let done = 0; done < after;) {
      await new Promise((r) => setTimeout(r, 250));
      done = Object.keys((await handle.query(backfillProgress)).done).length;
    }
    await worker.stop('SIGTERM');
    worker = await startChildWorker(env);
  }
  const result = await handle.result();
  // Tiny generated days can trip a blocking check (deterministically, same days every run): that
  // is an outcome, not a loss. Every date ran to an outcome, none failed.
  expect(result.counts.succeeded + result.counts.blocked).toBe(90);
  expect([result.counts.failed, result.counts.already_running]).toEqual([0, 0]);
  await worker.stop('SIGTERM');

  const counts = await tableCounts(path.join(dataDir, 'warehouse.duckdb'));
  expect(counts['ops.gold_publications']).toBe(result.counts.succeeded);
  expect(counts['gold.daily_kpis']).toBe(result.counts.succeeded);
  // Exactly once: no event twice in a partition, and bronze holds what the one successful load of each file reported.
  const wh = await DuckDbWarehouse.open({ path: path.join(dataDir, 'warehouse.duckdb') });
  const [check] = await wh.query<{ dup: number; audited: number; loads: number }>(
    `select (select count(*) - count(distinct (_partition_date, event_id)) from bronze.events) as dup,
            (select sum(rows_loaded) from ops.load_audit where source = 'events' and status = 'loaded') as audited,
            (select count(*) from ops.load_audit where source = 'events' and status = 'loaded') as loads`,
  );
  await wh.close();
  expect({ dup: Number(check.dup), audited: Number(check.audited), loads: Number(check.loads) }).toEqual({
    dup: 0,
    audited: counts['bronze.events'],
    loads: 90,
  });
  for (const date of [FROM, '2025-02-14', TO]) expect((await client.workflow.getHandle(nightlyWorkflowId(date)).describe()).status.name).toBe('COMPLETED');
}, 300_000);
