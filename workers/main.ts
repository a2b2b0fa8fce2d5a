import { Runtime } from '@temporalio/worker';
import { loadConfig } from '../config/config';
import { pipelineMetrics, startMetricsServer } from '../lib/metrics';
import { openDeps } from '../lib/open-deps';
import { connectWorker, temporalAddress } from '../temporal/connection';
import { createDagWorker } from './worker';

/**
 * The worker process: `dag worker` (or `node bin/dag worker`). Connects to TEMPORAL_ADDRESS or
 * the embedded dev server; the SDK's runtime turns SIGINT/SIGTERM into a graceful shutdown
 * (no new tasks, running activities get the grace time), then the warehouse is closed.
 */
export async function runWorker(): Promise<void> {
  const config = loadConfig();
  // Temporal's own runtime metrics and the pipeline's counters, both for Prometheus, on loopback.
  Runtime.install({ telemetryOptions: { metrics: { prometheus: { bindAddress: `127.0.0.1:${config.worker.temporalMetricsPort}` } } } });
  const metrics = pipelineMetrics();
  const metricsServer = await startMetricsServer(metrics.registry, config.worker.metricsPort);
  const deps = await openDeps(config);
  const connection = await connectWorker(config);
  const worker = await createDagWorker({ connection, deps, metrics });
  deps.logger.info('worker started', { address: temporalAddress(config), taskQueue: config.temporal.taskQueue, metrics: metricsServer.url });
  try {
    await worker.run();
  } finally {
    await metricsServer.close();
    await connection.close();
    await deps.warehouse.close();
    deps.logger.info('worker stopped');
  }
}
