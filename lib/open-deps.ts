import type { Config } from '../config/config';
import { secretValues } from '../config/config';
import { DuckDbWarehouse } from '../adapters/warehouse/duckdb/duckdb-warehouse';
import { createObjectStore } from '../adapters/object-store';
import type { ActivityDeps } from './deps';
import { bootstrapWarehouse } from './bootstrap';
import { createLogger } from './logger';

/** Opens the configured adapters once (at worker start) and creates missing tables. */
export async function openDeps(config: Config): Promise<ActivityDeps> {
  const logger = createLogger({ level: config.logLevel, secrets: secretValues(config), base: { service: 'worker' } });
  if (config.warehouse.kind !== 'duckdb') throw new Error('only the duckdb warehouse is wired in yet');
  const warehouse = await DuckDbWarehouse.open({ path: config.warehouse.path, threads: config.warehouse.threads, memoryLimit: config.warehouse.memoryLimit });
  await bootstrapWarehouse(warehouse);
  const store = createObjectStore(config);
  return { config, warehouse, store, logger };
}
