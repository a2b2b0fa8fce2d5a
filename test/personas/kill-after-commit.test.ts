import * as path from 'node:path';
import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { DuckDbWarehouse } from '../../adapters/warehouse/duckdb/duckdb-warehouse';
import { personaApproval, RetrainPersonas } from '../../workflows/retrain-personas';
import { startChildWorker, testServer, type ChildWorker } from '../reliability/support/child-worker';
import { completedAttempts } from '../reliability/support/observe';
import { awaitingDecision, landDay, openPersonaDeps } from './support/persona-env';

/**
 * The worker process SIGKILLs itself right after the registration (trainPersonaCandidate) or the
 * promotion (promotePersonaModel) committed, before Temporal heard of it; Temporal retries the
 * activity on a new worker once the dead attempt times out (heartbeat 1 min / start-to-close
 * 2 min). The retry must find what its first attempt committed: one candidate version per run,
 * one activation, and the review ends exactly as an undisturbed one.
 */
let client: Client;
beforeAll(async () => {
  client = new Client({ connection: await Connection.connect({ address: testServer().address }) });
});
afterAll(async () => client?.connection.close());

async function personaDataDir(): Promise<string> {
  const deps = await openPersonaDeps();
  await landDay(deps, { date: '2026-11-01', participants: 1500, seed: 1 });
  await landDay(deps, { date: '2026-11-02', participants: 1500, seed: 2 });
  await deps.warehouse.close();
  return deps.config.dataDir;
}

async function registry(dataDir: string, workflowId: string) {
  const wh = await DuckDbWarehouse.open({ path: path.join(dataDir, 'warehouse.duckdb') });
  try {
    const q = (sql: string) => wh.query(sql, sql.includes('$wf') ? { wf: workflowId } : undefined);
    return {
      mine: await q(`select model_version as v, status from ml.persona_models where registered_workflow = $wf order by v`),
      active: await q(`select model_version as v from ml.persona_models where status = 'active'`),
      events: await q(`select model_version as v, event from ml.persona_model_events where workflow_id = $wf order by v, event`),
      centroids: await q(
        `select count(*) as n from ml.persona_centroids where model_version in (select model_version from ml.persona_models where registered_workflow = $wf)`,
      ),
    };
  } finally {
    await wh.close();
  }
}

test.concurrent.each([['trainPersonaCandidate'], ['promotePersonaModel']])(
  'worker killed right after %s committed: the retry finds its own commit; one candidate, promoted once',
  async (activityType) => {
    const dataDir = await personaDataDir();
    const env = { DAG_DATA_DIR: dataDir, DAG_TASK_QUEUE: `kill-personas-${randomUUID()}`, DAG_APPROVERS: 'alice', DAG_ALLOW_UNSIGNED_DECISIONS: 'true' };
    let worker: ChildWorker = await startChildWorker({ ...env, DAG_TEST_SIGKILL_AFTER: activityType });
    try {
      const h = await client.workflow.start(RetrainPersonas, {
        taskQueue: env.DAG_TASK_QUEUE,
        workflowId: `kill-retrain-${randomUUID()}`,
        args: [{ window: { from: '2026-11-01', to: '2026-11-02' }, sampleSize: 3000, requestedBy: 'carol' }],
      });
      if (activityType === 'trainPersonaCandidate') {
        await worker.exited; // killed by itself after the registration committed
        worker = await startChildWorker(env);
      }
      const { version } = await awaitingDecision(() => h.query(personaApproval.query), 240_000);
      await h.executeUpdate(personaApproval.update, { args: [{ decision: 'accept', approver: 'alice', version: version! }] });
      if (activityType === 'promotePersonaModel') {
        await worker.exited;
        worker = await startChildWorker(env);
      }
      const result = await h.result();
      expect(result).toMatchObject({ outcome: 'promoted', candidateVersion: version, baseVersion: 1, relabelled: { dates: 2, rows: 3000 } });
      expect(Math.max(...(await completedAttempts(h, activityType)))).toBeGreaterThanOrEqual(2);
      await worker.stop('SIGTERM');
      const r = await registry(dataDir, h.workflowId);
      expect(r.mine).toEqual([{ v: version, status: 'active' }]);
      expect(r.active).toEqual([{ v: version }]);
      expect(r.centroids).toEqual([{ n: 8 }]);
      expect(r.events).toEqual([
        { v: 1, event: 'retired' },
        { v: version, event: 'activated' },
        { v: version, event: 'registered' },
      ]);
    } finally {
      await worker.stop('SIGKILL');
    }
  },
  420_000,
);
