import { DefaultLogger, Runtime, Worker } from '@temporalio/worker';
import { createActivities } from '../../../activities';
import { loadConfig } from '../../../config/config';
import { dataConverter } from '../../../lib/codec';
import { metricsInterceptor, pipelineMetrics, startMetricsServer } from '../../../lib/metrics';
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
  // Metrics as the worker should expose them (see the issue 9 report for the wiring in workers/).
  const temporalMetricsPort = process.env.DAG_TEMPORAL_METRICS_PORT;
  Runtime.install({
    logger: new DefaultLogger('WARN'),
    ...(temporalMetricsPort ? { telemetryOptions: { metrics: { prometheus: { bindAddress: `127.0.0.1:${temporalMetricsPort}` } } } } : {}),
  });
  const metrics = pipelineMetrics();
  const metricsServer = process.env.DAG_METRICS_PORT ? await startMetricsServer(metrics.registry, Number(process.env.DAG_METRICS_PORT)) : undefined;
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
    interceptors: { activity: [metricsInterceptor(metrics)] },
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
    await metricsServer?.close();
  }
}

main().catch((err) => {
  process.stderr.write(`worker-process: ${String(err?.stack ?? err)}\n`);
  process.exit(1);
});
