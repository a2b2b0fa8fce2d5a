import { Runtime } from '@temporalio/worker';
import { ConfigError, loadConfig, type Config } from '../config/config';
import type { ActivityDeps } from '../lib/deps';
import { pipelineMetrics, startMetricsServer } from '../lib/metrics';
import { openDeps } from '../lib/open-deps';
import { connectWorker, temporalAddress } from '../temporal/connection';
import { freePort } from '../temporal/dev-server';
import { createDagWorker } from './worker';

/**
 * The worker process: `dag worker` (or `node bin/dag worker`). Connects to TEMPORAL_ADDRESS or
 * the embedded dev server; the SDK's runtime turns SIGINT/SIGTERM into a graceful shutdown
 * (no new tasks, running activities get the grace time), then the warehouse is closed.
 *
 * Start-up opens the warehouse FIRST and binds its ports only then: a worker that cannot start
 * (a corrupt or locked warehouse file, a port in use) says why in one line and exits non-zero
 * holding nothing, so a supervisor sees the crash and the next start finds its ports free.
 */
export async function runWorker(): Promise<void> {
  const config = loadConfig();
  const deps = await openWarehouse(config);
  let metricsServer: Awaited<ReturnType<typeof startMetricsServer>> | undefined;
  let connection: Awaited<ReturnType<typeof connectWorker>> | undefined;
  let runtime = false;
  try {
    const temporalMetricsPort = config.worker.temporalMetricsPort || (await freePort());
    installRuntime(temporalMetricsPort);
    runtime = true;
    const metrics = pipelineMetrics();
    metricsServer = await startMetricsServer(metrics.registry, config.worker.metricsPort).catch((err: NodeJS.ErrnoException) => {
      throw err.code === 'EADDRINUSE' ? portInUse('DAG_METRICS_PORT', config.worker.metricsPort) : err;
    });
    connection = await connectWorker(config);
    const worker = await createDagWorker({ connection, deps, metrics });
    deps.logger.info('worker started', {
      address: temporalAddress(config),
      taskQueue: config.temporal.taskQueue,
      metrics: metricsServer.url,
      temporalMetrics: `http://127.0.0.1:${temporalMetricsPort}/metrics`,
    });
    await worker.run();
  } finally {
    await metricsServer?.close();
    await connection?.close();
    await deps.warehouse.close();
    if (runtime && !connection)
      await Runtime.instance()
        .shutdown()
        .catch(() => undefined); // releases the runtime's metrics port
    deps.logger.info('worker stopped');
  }
}

async function openWarehouse(config: Config): Promise<ActivityDeps> {
  try {
    return await openDeps(config);
  } catch (err) {
    const where = config.warehouse.kind === 'duckdb' ? config.warehouse.path : `snowflake account ${config.warehouse.account}`;
    throw new Error(`cannot open the warehouse ${where}: ${(err as Error).message.split('\n')[0]}`);
  }
}

/** Temporal's runtime metrics for Prometheus on 127.0.0.1 (the port is bound here, by the native runtime). */
function installRuntime(port: number): void {
  try {
    Runtime.install({ telemetryOptions: { metrics: { prometheus: { bindAddress: `127.0.0.1:${port}` } } } });
  } catch (err) {
    if (/address already in use/i.test((err as Error).message)) throw portInUse('DAG_TEMPORAL_METRICS_PORT', port);
    throw err;
  }
}

function portInUse(setting: string, port: number): ConfigError {
  return new ConfigError(`${setting} ${port} is already in use on 127.0.0.1 (another worker?): stop it, or set ${setting} to a free port (0 = any)`);
}
