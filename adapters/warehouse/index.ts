import type { Config } from '../../config/config';
import { DuckDbWarehouse } from './duckdb/duckdb-warehouse';
import { formatQueryTag, type QueryTagContext } from './snowflake/snowflake-query-tag';
import type { SnowflakeAuth } from './snowflake/snowflake-warehouse';
import type { Warehouse } from './warehouse';

export type { QueryTagContext } from './snowflake/snowflake-query-tag';

/**
 * Opens the configured warehouse. Secrets come from config.secrets and go only to the driver;
 * nothing here logs, and errors name settings, never their values.
 */
export async function openWarehouse(config: Config): Promise<Warehouse> {
  const wh = config.warehouse;
  if (wh.kind === 'duckdb') return DuckDbWarehouse.open({ path: wh.path, threads: wh.threads, memoryLimit: wh.memoryLimit });
  // Loaded only when chosen, so the DuckDB default never loads snowflake-sdk.
  const { SnowflakeWarehouse } = await import('./snowflake/snowflake-warehouse');
  return SnowflakeWarehouse.open({
    account: wh.account,
    username: wh.username,
    database: wh.database,
    warehouse: wh.warehouse,
    role: wh.role,
    schema: wh.schema,
    host: wh.host,
    port: wh.port,
    protocol: wh.protocol,
    auth: snowflakeAuth(config),
    queryTag: formatQueryTag({ workflow: 'worker' }),
  });
}

function snowflakeAuth(config: Config): SnowflakeAuth {
  const { snowflakePrivateKeyPath, snowflakePrivateKeyPassphrase, snowflakePassword } = config.secrets;
  // Key-pair wins when both are set: it is what service users should use.
  if (snowflakePrivateKeyPath) return { kind: 'keyPair', privateKeyPath: snowflakePrivateKeyPath, privateKeyPass: snowflakePrivateKeyPassphrase };
  if (snowflakePassword) return { kind: 'password', password: snowflakePassword };
  throw new Error('configuration: SNOWFLAKE_PASSWORD or SNOWFLAKE_PRIVATE_KEY_PATH is required when DAG_WAREHOUSE=snowflake');
}

/**
 * The warehouse an activity should use for one workflow step: on Snowflake every statement then
 * carries QUERY_TAG {"app":"marketing-dag","workflow":…,"partition":…}; DuckDB has no query tags
 * and gets the same warehouse back.
 */
export function withQueryTag(warehouse: Warehouse, ctx: QueryTagContext): Warehouse {
  const scoped = warehouse as Warehouse & { withQueryTag?: (tag: string) => Warehouse };
  return typeof scoped.withQueryTag === 'function' ? scoped.withQueryTag(formatQueryTag(ctx)) : warehouse;
}
