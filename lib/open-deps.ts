import type { Config } from '../config/config';
import { secretValues } from '../config/config';
import { openWarehouse } from '../adapters/warehouse';
import { contextTagged } from './tagged-warehouse';
import { createObjectStore } from '../adapters/object-store';
import type { ActivityDeps } from './deps';
import { bootstrapWarehouse } from './bootstrap';
import { loadContracts, useContracts } from '../contracts/sources';
import { createLogger } from './logger';
import { activityLogFields, activityWarehouse } from './heartbeat';

/** Opens the configured adapters once (at worker start) and creates missing tables. */
export async function openDeps(config: Config): Promise<ActivityDeps> {
  // Contracts first: a contract that cannot be enforced stops the worker before anything opens.
  useContracts(loadContracts({ dir: config.contracts.dir }));
  const logger = createLogger({ level: config.logLevel, secrets: secretValues(config), base: { service: 'worker' }, context: activityLogFields });
  // Bound to the calling activity: query tag (Snowflake), heartbeats, interrupted on cancellation.
  const warehouse = activityWarehouse(contextTagged(await openWarehouse(config)));
  await bootstrapWarehouse(warehouse, { sessionGapMinutes: config.pipeline.sessionGapMinutes });
  const store = createObjectStore(config);
  return { config, warehouse, store, logger };
}
