import { NativeConnection, Worker, type ActivityInterceptorsFactory, type WorkerOptions } from '@temporalio/worker';
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
  /** Tests only: activities registered beside the project's, and activity interceptors (fault hooks). */
  extraActivities?: Record<string, (...args: never[]) => Promise<unknown>>;
  activityInterceptors?: ActivityInterceptorsFactory[];
}

/** Registers every workflow and activity on the task queue (default `marketing-dag`). */
export async function createDagWorker(opts: DagWorkerOptions): Promise<Worker> {
  const { config } = opts.deps;
  return Worker.create({
    connection: opts.connection,
    namespace: config.temporal.namespace,
    taskQueue: opts.taskQueue ?? config.temporal.taskQueue,
    ...(opts.workflowBundle ? { workflowBundle: opts.workflowBundle } : { workflowsPath: WORKFLOWS_PATH }),
    activities: { ...createActivities(opts.deps), ...opts.extraActivities },
    // Payloads and failure messages encrypted at rest when DAG_PAYLOAD_KEY is set (view them via workers/codec-server.ts).
    dataConverter: dataConverter(config),
    interceptors: { activity: [...(opts.metrics ? [metricsInterceptor(opts.metrics)] : []), ...(opts.activityInterceptors ?? [])] },
    maxConcurrentActivityTaskExecutions: config.worker.maxConcurrentActivities,
    maxConcurrentWorkflowTaskExecutions: config.worker.maxConcurrentWorkflowTasks,
    // Activities get this long to finish their current statement on SIGTERM before being cancelled.
    shutdownGraceTime: '20s',
    // Cancellation reaches an activity only with a heartbeat's answer: heartbeats go out at least
    // every 2 s (not 80 % of the heartbeat timeout, 48 s for LONG_SQL), so a cancelled statement
    // is interrupted within seconds (lib/heartbeat.ts).
    maxHeartbeatThrottleInterval: '2s',
    defaultHeartbeatThrottleInterval: '2s',
  });
}
