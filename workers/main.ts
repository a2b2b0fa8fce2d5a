import { loadConfig } from '../config/config';
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
  const deps = await openDeps(config);
  const connection = await connectWorker(config);
  const worker = await createDagWorker({ connection, deps });
  deps.logger.info('worker started', { address: temporalAddress(config), taskQueue: config.temporal.taskQueue });
  try {
    await worker.run();
  } finally {
    await connection.close();
    await deps.warehouse.close();
    deps.logger.info('worker stopped');
  }
}
