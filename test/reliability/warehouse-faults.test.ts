import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { randomUUID } from 'node:crypto';
import { WorkflowFailedError } from '@temporalio/client';
import { NightlyPipeline } from '../../workflows';
import { createTestEnv, tempDataDir, type TestEnv } from '../support/temporal';
import { startChildWorker } from './support/child-worker';
import { completedAttempts, tableCounts } from './support/observe';

let env: TestEnv;
beforeAll(async () => {
  env = await createTestEnv();
});
afterAll(async () => env?.close());

/** Another process (a notebook, the duckdb CLI) holding the warehouse file's lock. */
async function holdLock(file: string) {
  const child = spawn(
    process.execPath,
    ['-e', `require('@duckdb/node-api').DuckDBInstance.create(process.argv[1]).then(() => { console.log('locked'); setInterval(() => {}, 1000); })`, file],
    { cwd: path.resolve(__dirname, '../..'), stdio: ['ignore', 'pipe', 'inherit'] },
  );
  await new Promise<void>((resolve) => child.stdout!.on('data', (d) => String(d).includes('locked') && resolve()));
  return { release: () => new Promise<void>((r) => (child.once('exit', () => r()), child.kill('SIGTERM'))) };
}

test('a worker cannot start while another process holds the warehouse: it says who holds it; the run waits and completes once released', async () => {
  const dataDir = tempDataDir('locked-');
  const workerEnv = { DAG_DATA_DIR: dataDir, DAG_TASK_QUEUE: `locked-${randomUUID()}` };
  const first = await startChildWorker(workerEnv); // creates the warehouse file
  await first.stop('SIGTERM');
  const lock = await holdLock(path.join(dataDir, 'warehouse.duckdb'));
  const handle = await env.client.workflow.start(NightlyPipeline, {
    taskQueue: workerEnv.DAG_TASK_QUEUE,
    workflowId: `locked-${randomUUID()}`,
    args: [{ date: '2026-01-10', generate: { rows: 2000, anomalies: false, seed: 3 } }],
  });
  const refused = await startChildWorker(workerEnv).then(
    () => undefined,
    (e: Error) => e.message,
  );
  expect(refused).toMatch(/Could not set lock on file .*warehouse\.duckdb.*Conflicting lock is held in .* \(PID \d+\)/s);
  expect((await handle.describe()).status.name).toBe('RUNNING'); // nothing lost: the tasks wait in the queue
  await lock.release();
  const worker = await startChildWorker(workerEnv);
  expect((await handle.result()).status).toBe('succeeded');
  await worker.stop('SIGTERM');
  expect((await tableCounts(path.join(dataDir, 'warehouse.duckdb')))['gold.daily_kpis']).toBe(1);
}, 120_000);

test('a permanent warehouse error in the gold publish fails at once with the reason; the transaction leaves no partial partition', async () => {
  const w = await env.makeWorker();
  try {
    const run = (date: string) =>
      env.client.workflow.execute(NightlyPipeline, {
        taskQueue: w.taskQueue,
        workflowId: `publish-fault-${date}-${randomUUID()}`,
        args: [{ date, review: false, generate: { rows: 2000, anomalies: false, seed: 5 } }],
      });
    expect((await run('2026-01-20')).status).toBe('succeeded');
    const wh = w.deps.warehouse;
    const before = await wh.query(`select * from gold.channel_daily order by all`);
    // The last model published in the swap no longer fits its staged rows (a column the model
    // selects is gone; an added nullable column would just stay null: inserts go by name).
    await wh.exec(`alter table gold.monthly_revenue drop column customers`);
    const id = `publish-fault-${randomUUID()}`;
    const err = await env.client.workflow
      .execute(NightlyPipeline, {
        taskQueue: w.taskQueue,
        workflowId: id,
        args: [{ date: '2026-01-21', review: false, generate: { rows: 2000, anomalies: false, seed: 5 } }],
      })
      .catch((e) => e);
    expect(err).toBeInstanceOf(WorkflowFailedError);
    const cause = (err as WorkflowFailedError).cause?.cause as { type?: string; message: string };
    expect(cause).toMatchObject({ type: 'SqlError' });
    expect(cause.message).toMatch(/^Binder Error: .*customers/);
    expect(await completedAttempts(env.client.workflow.getHandle(id), 'publishGold')).toEqual([]); // never retried to success
    expect(await wh.query(`select count(*) as n from gold.daily_kpis where partition_date = date '2026-01-21'`)).toEqual([{ n: 0 }]);
    expect(await wh.query(`select cast(partition_date as varchar) as d from ops.gold_publications order by 1`)).toEqual([{ d: '2026-01-20' }]);
    expect(await wh.query(`select * from gold.channel_daily order by all`)).toEqual(before);
  } finally {
    await w.close();
  }
}, 120_000);
