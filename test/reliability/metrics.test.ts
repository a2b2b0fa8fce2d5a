import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { freePort } from '../../temporal/dev-server';
import { NightlyPipeline } from '../../workflows';
import { tempDataDir } from '../support/temporal';
import { startChildWorker, testServer, type ChildWorker } from './support/child-worker';

/**
 * A worker process exposes two Prometheus endpoints on 127.0.0.1: the Temporal runtime's
 * (task latencies, slots, polls) and the pipeline's own counters (lib/metrics.ts). After a
 * nightly run with planted anomalies both are scraped and the pipeline's figures match the run.
 */
let worker: ChildWorker;
let client: Client;
afterAll(async () => {
  await worker?.stop('SIGTERM');
  await client?.connection.close();
});

const scrape = async (port: number) => (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
const sample = (text: string, series: string) => Number(new RegExp(`^${series.replace(/[{}]/g, '\\$&')} (\\S+)$`, 'm').exec(text)?.[1] ?? NaN);

test('pipeline counters and Temporal runtime metrics are scraped and match the run', async () => {
  const [pipelinePort, temporalPort] = [await freePort(), await freePort()];
  const taskQueue = `metrics-${randomUUID()}`;
  worker = await startChildWorker({
    DAG_DATA_DIR: tempDataDir('metrics-'),
    DAG_TASK_QUEUE: taskQueue,
    DAG_METRICS_PORT: String(pipelinePort),
    DAG_TEMPORAL_METRICS_PORT: String(temporalPort),
  });
  client = new Client({ connection: await Connection.connect({ address: testServer().address }) });
  const result = await client.workflow.execute(NightlyPipeline, {
    taskQueue,
    workflowId: `metrics-${randomUUID()}`,
    args: [{ date: '2026-02-02', review: false, generate: { rows: 3000, anomalies: true, seed: 4 } }],
  });
  expect(result.status).toBe('blocked');

  const own = await scrape(pipelinePort);
  for (const l of result.loads) {
    expect(sample(own, `dag_bronze_rows_loaded_total{source="${l.source}"}`)).toBe(l.rowsLoaded);
    expect(sample(own, `dag_bronze_rows_quarantined_total{source="${l.source}"}`)).toBe(l.rowsQuarantined);
  }
  expect(result.layers.bronze.quarantined).toBeGreaterThan(0);
  for (const check of result.blocked!.failedChecks)
    expect(sample(own, `dag_quality_checks_failed_total{stage="${result.blocked!.stage}",check="${check}"}`)).toBe(1);
  expect(own).toContain('# TYPE dag_bronze_rows_loaded_total counter');

  const runtime = await scrape(temporalPort);
  expect(runtime).toMatch(/^temporal_activity_execution_latency_bucket\{/m);
  expect(runtime).toMatch(new RegExp(`^temporal_workflow_completed\\{.*task_queue="${taskQueue}".*\\} [1-9]`, 'm'));
}, 120_000);
