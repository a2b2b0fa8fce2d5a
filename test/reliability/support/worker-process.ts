import { DefaultLogger, Runtime, Worker } from '@temporalio/worker';
import { createActivities } from '../../../activities';
import { loadConfig } from '../../../config/config';
import { dataConverter } from '../../../lib/codec';
import { openDeps } from '../../../lib/open-deps';
import { connectWorker } from '../../../temporal/connection';

/**
 * A real worker process for fault tests (so SIGKILL is real): configured from env like
 * `dag worker` (TEMPORAL_ADDRESS, DAG_DATA_DIR, DAG_TASK_QUEUE, DAG_PAYLOAD_KEY …), with the
 * test run's pre-built workflow bundle (DAG_TEST_WORKFLOW_BUNDLE). It is built with
 * Worker.create rather than createDagWorker only because that does not take a data converter
 * yet (see the report of issue 9); the options are the same. Prints "ready" once polling.
 */
async function main() {
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const config = loadConfig();
  const deps = await openDeps(config);
  const connection = await connectWorker(config);
  const worker = await Worker.create({
    connection,
    namespace: config.temporal.namespace,
    taskQueue: config.temporal.taskQueue,
    workflowBundle: { codePath: process.env.DAG_TEST_WORKFLOW_BUNDLE! },
    activities: createActivities(deps),
    dataConverter: dataConverter(config),
    maxConcurrentActivityTaskExecutions: config.worker.maxConcurrentActivities,
    maxConcurrentWorkflowTaskExecutions: config.worker.maxConcurrentWorkflowTasks,
    shutdownGraceTime: '20s',
  });
  const running = worker.run();
  process.stdout.write('ready\n');
  try {
    await running;
  } finally {
    await connection.close();
    await deps.warehouse.close();
  }
}

main().catch((err) => {
  process.stderr.write(`worker-process: ${String(err?.stack ?? err)}\n`);
  process.exit(1);
});
