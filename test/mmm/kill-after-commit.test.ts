import * as fs from 'node:fs';
import * as path from 'node:path';
import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { DuckDbWarehouse } from '../../adapters/warehouse/duckdb/duckdb-warehouse';
import { localRobynCommand } from '../../adapters/launcher';
import { RobynMmm } from '../../workflows/robyn-mmm';
import { startChildWorker, testServer, type ChildWorker } from '../reliability/support/child-worker';
import { completedAttempts } from '../reliability/support/observe';
import { tempDataDir } from '../support/temporal';
import { DEMO_CSV, DEMO_KEY, demoSource } from './support';

/**
 * A real worker process running real Robyn (30 iterations × 1 trial) SIGKILLs itself right after
 * collectRobynResults committed mmm.runs / mmm.channel_results, before Temporal heard of it. The
 * retry on a new worker (after the 2-minute start-to-close) must leave exactly one run row and
 * one row per channel, and the workflow must succeed with the same chosen model.
 */
test('worker killed right after the MMM results were collected: the retry leaves one run row and one row per channel', async () => {
  const [python] = localRobynCommand();
  if (!fs.existsSync(python)) throw new Error(`${python} missing: run \`bash scripts/setup-tools.sh robyn\` first`);
  const dataDir = tempDataDir('kill-mmm-');
  fs.mkdirSync(path.dirname(path.join(dataDir, 'objects', DEMO_KEY)), { recursive: true });
  fs.copyFileSync(DEMO_CSV, path.join(dataDir, 'objects', DEMO_KEY));
  const env = { DAG_DATA_DIR: dataDir, DAG_TASK_QUEUE: `kill-mmm-${randomUUID()}` };
  const client = new Client({ connection: await Connection.connect({ address: testServer().address }) });
  let worker: ChildWorker = await startChildWorker({ ...env, DAG_TEST_SIGKILL_AFTER: 'collectRobynResults' });
  try {
    const h = await client.workflow.start(RobynMmm, {
      taskQueue: env.DAG_TASK_QUEUE,
      workflowId: `kill-mmm-${randomUUID()}`,
      args: [{ source: demoSource, from: '2016-01-04', to: '2018-12-31', iterations: 30, trials: 1, hyperparameters: { tv_S_thetas: [0.3, 0.8] } }],
    });
    await worker.exited; // the results are committed; Temporal has not heard of it
    worker = await startChildWorker(env);
    const result = await h.result();
    expect(Math.max(...(await completedAttempts(h, 'collectRobynResults')))).toBeGreaterThanOrEqual(2);
    await worker.stop('SIGTERM');
    const wh = await DuckDbWarehouse.open({ path: path.join(dataDir, 'warehouse.duckdb') });
    try {
      const runs = await wh.query(`select status, chosen_model, rsq_train, nrmse_selection from mmm.runs where run_id = $id`, { id: result.runId });
      expect(runs).toEqual([{ status: 'succeeded', chosen_model: result.chosenModel, rsq_train: result.fit.rsq_train, nrmse_selection: 'nrmse_val' }]);
      const channels = await wh.query(`select channel, count(*) as n from mmm.channel_results where run_id = $id group by channel order by channel`, {
        id: result.runId,
      });
      expect(channels).toEqual(demoSource.variables.paidMediaSpends.map((channel) => ({ channel, n: 1 })).sort((a, b) => a.channel.localeCompare(b.channel)));
    } finally {
      await wh.close();
    }
  } finally {
    await worker.stop('SIGKILL');
    await client.connection.close();
  }
}, 420_000);
