import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { createActivities } from '../activities';
import { dataConverter } from '../lib/codec';
import { metricsInterceptor, type PipelineMetrics } from '../lib/metrics';
import type { ActivityDeps } from '../lib/deps';

export const WORKFLOWS_PATH = require.resolve('../workflows');

export interface DagWorkerOptions {
  connection: NativeConnection;
  deps: ActivityDeps;
  taskQueue?: string;
  /**
   * A pre-built workflow bundle (tests build it once); default: bundle `workflows/` now, with the
   * data converter's failure converter. With DAG_PAYLOAD_KEY a pre-built bundle must be built with
   * `failureConverterPath: FAILURE_CONVERTER_PATH` (lib/codec), or workflow failure messages stay plain.
   */
  workflowBundle?: WorkerOptions['workflowBundle'];
  /** Pipeline counters (rows loaded / quarantined, checks failed) fed by an activity interceptor. */
  metrics?: PipelineMetrics;
}

/** Registers every workflow and activity on the task queue (default `marketing-dag`). */
export async function createDagWorker(opts: DagWorkerOptions): Promise<Worker> {
  const { config } = opts.deps;
  return Worker.create({
    connection: opts.connection,
    namespace: config.temporal.namespace,
    taskQueue: opts.taskQueue ?? config.temporal.taskQueue,
    ...(opts.workflowBundle ? { workflowBundle: opts.workflowBundle } : { workflowsPath: WORKFLOWS_PATH }),
    activities: createActivities(opts.deps),
    // Payloads and failure messages encrypted at rest when DAG_PAYLOAD_KEY is set (view them via workers/codec-server.ts).
    dataConverter: dataConverter(config),
    interceptors: opts.metrics ? { activity: [metricsInterceptor(opts.metrics)] } : undefined,
    maxConcurrentActivityTaskExecutions: config.worker.maxConcurrentActivities,
    maxConcurrentWorkflowTaskExecutions: config.worker.maxConcurrentWorkflowTasks,
    // Activities get this long to finish their current statement on SIGTERM before being cancelled.
    shutdownGraceTime: '20s',
  });
}
