import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { createActivities } from '../activities';
import type { ActivityDeps } from '../lib/deps';

export const WORKFLOWS_PATH = require.resolve('../workflows');

export interface DagWorkerOptions {
  connection: NativeConnection;
  deps: ActivityDeps;
  taskQueue?: string;
  /** A pre-built workflow bundle (tests build it once); default: bundle `workflows/` now. */
  workflowBundle?: WorkerOptions['workflowBundle'];
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
    maxConcurrentActivityTaskExecutions: config.worker.maxConcurrentActivities,
    maxConcurrentWorkflowTaskExecutions: config.worker.maxConcurrentWorkflowTasks,
    // Activities get this long to finish their current statement on SIGTERM before being cancelled.
    shutdownGraceTime: '20s',
  });
}
