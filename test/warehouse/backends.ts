import { DuckDbWarehouse } from '../../adapters/warehouse/duckdb/duckdb-warehouse';
import { SnowflakeWarehouse } from '../../adapters/warehouse/snowflake/snowflake-warehouse';
import type { Warehouse } from '../../adapters/warehouse/warehouse';
import { startFakesnow, type Fakesnow } from '../support/fakesnow';

/**
 * The warehouses every backend-agnostic test runs against: DuckDB in memory, and Snowflake through
 * the real snowflake-sdk against fakesnow (+ the Arrow→JSON proxy). Narrow the list with
 * DAG_TEST_WAREHOUSES=duckdb or =snowflake (default: both).
 */
export interface Backend {
  name: 'duckdb' | 'snowflake';
  warehouse: Warehouse;
  /** Only for snowflake: the emulator, to inspect what the sdk sent or inject failures. */
  fakesnow?: Fakesnow;
  stop(): Promise<void>;
}

export const BACKENDS = (process.env.DAG_TEST_WAREHOUSES ?? 'duckdb,snowflake')
  .split(',')
  .map((s) => s.trim())
  .filter((s): s is Backend['name'] => s === 'duckdb' || s === 'snowflake');

export async function openBackend(name: Backend['name']): Promise<Backend> {
  if (name === 'duckdb') {
    const warehouse = await DuckDbWarehouse.open({ path: ':memory:', threads: 1 });
    return { name, warehouse, stop: () => warehouse.close() };
  }
  const fakesnow = await startFakesnow();
  try {
    const { password, ...conn } = fakesnow.connection;
    // Short backoff: a test should fail in seconds, not after the production retry budget.
    const warehouse = await SnowflakeWarehouse.open({
      ...conn,
      auth: { kind: 'password', password },
      retry: { attempts: 3, baseDelayMs: 50, maxDelayMs: 200 },
    });
    return {
      name,
      warehouse,
      fakesnow,
      stop: async () => {
        await warehouse.close();
        await fakesnow.stop();
      },
    };
  } catch (err) {
    await fakesnow.stop();
    throw err;
  }
}
