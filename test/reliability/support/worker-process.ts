import { DefaultLogger, Runtime, type ActivityInterceptorsFactory } from '@temporalio/worker';
import { loadConfig } from '../../../config/config';
import { dataConverter } from '../../../lib/codec';
import { pipelineMetrics, startMetricsServer } from '../../../lib/metrics';
import { openDeps } from '../../../lib/open-deps';
import { connectWorker } from '../../../temporal/connection';
import { createDagWorker } from '../../../workers/worker';

/**
 * A real worker process for fault tests (so SIGKILL is real): configured from env like
 * `dag worker` (TEMPORAL_ADDRESS, DAG_DATA_DIR, DAG_TASK_QUEUE, DAG_PAYLOAD_KEY …), with the
 * test run's pre-built workflow bundle (DAG_TEST_WORKFLOW_BUNDLE; with DAG_PAYLOAD_KEY it
 * bundles workflows/ itself, see below), built by createDagWorker as `dag worker` builds it, plus
 * the kill hook. Prints "ready" once polling.
 * DAG_TEST_SIGKILL_AFTER=<activity type>: see sigkillAfter.
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
  const converter = dataConverter(config);
  const worker = await createDagWorker({
    connection,
    deps,
    metrics,
    // The shared test bundle has the default failure converter; with encryption the worker bundles
    // workflows/ with the data converter's own, as `dag worker` does.
    workflowBundle: converter?.failureConverterPath ? undefined : { codePath: process.env.DAG_TEST_WORKFLOW_BUNDLE! },
    activityInterceptors: process.env.DAG_TEST_SIGKILL_AFTER ? [sigkillAfter(process.env.DAG_TEST_SIGKILL_AFTER)] : [],
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

/**
 * The process SIGKILLs itself once the first attempt of `activityType` has returned, before the
 * worker reports the result: its effects are committed and yet Temporal will run it again.
 */
function sigkillAfter(activityType: string): ActivityInterceptorsFactory {
  return (ctx) => ({
    inbound: {
      async execute(input, next) {
        const result = await next(input);
        if (ctx.info.activityType === activityType && ctx.info.attempt === 1) process.kill(process.pid, 'SIGKILL');
        return result;
      },
    },
  });
}

main().catch((err) => {
  process.stderr.write(`worker-process: ${String(err?.stack ?? err)}\n`);
  process.exit(1);
});
