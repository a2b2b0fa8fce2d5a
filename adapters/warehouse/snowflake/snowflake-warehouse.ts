import type { BulkLoadSource, Params, RawColumn, RawLoadResult, Row, Session, StatementControl, Warehouse } from '../warehouse';
import { executeStatement, loadSnowflakeSdk, type SdkConnection, type SdkConnectionOptions, type SdkPool } from './snowflake-driver';
import { loadRawFileSnowflake, RAW_STAGE } from './snowflake-raw-load';
import { DEFAULT_RETRY, withRetry, type RetryPolicy } from './snowflake-retry';
import { splitStatements, toPositionalBinds } from './snowflake-sql-text';
import { normaliseSnowflakeRow } from './snowflake-values';

export type SnowflakeAuth = { kind: 'password'; password: string } | { kind: 'keyPair'; privateKeyPath: string; privateKeyPass?: string };

export interface SnowflakeOptions {
  account: string;
  username: string;
  database: string;
  warehouse: string;
  role?: string;
  schema?: string;
  auth: SnowflakeAuth;
  /** Emulator overrides (fakesnow); unset for the real service. */
  host?: string;
  port?: number;
  protocol?: 'http' | 'https';
  /** QUERY_TAG for every statement unless a scoped view (withQueryTag) says otherwise. */
  queryTag?: string;
  /** Pool size: parallel statements this worker may run (default 4). */
  maxConnections?: number;
  retry?: RetryPolicy;
}

const SCHEMAS = ['bronze', 'silver', 'gold', 'ops', 'ml', 'mmm', 'staging'];

/**
 * The Warehouse on Snowflake through snowflake-sdk. One pool of sessions per worker, opened
 * lazily; each call borrows one. `$name` params become `?` binds; a `;` script runs statement by
 * statement on one session. Transient failures (network, throttling, lost session) are retried
 * with backoff, SQL errors never (snowflake-retry.ts). Rows come back shaped like DuckDB's.
 *
 * Query tags: `withQueryTag(tag)` returns a view of the same pool whose every statement carries
 * QUERY_TAG = tag as a statement-level parameter, so concurrent activities sharing the pool never
 * overwrite each other's session tag. Only the warehouse returned by `open` owns the pool: closing
 * a tagged view is a no-op.
 */
export class SnowflakeWarehouse implements Warehouse {
  readonly dialect = 'snowflake' as const;
  /** Throw-away tables of one activity go to `staging` (created on open). */
  readonly scratchSchema = 'staging';

  private constructor(
    private readonly pool: SdkPool,
    private readonly tag: string | undefined,
    private readonly retry: RetryPolicy,
    private readonly ownsPool: boolean,
    private readonly control?: StatementControl,
  ) {}

  static async open(opts: SnowflakeOptions): Promise<SnowflakeWarehouse> {
    const pool = loadSnowflakeSdk().createPool(connectionOptions(opts), {
      max: opts.maxConnections ?? 4,
      min: 0,
      evictionRunIntervalMillis: 60_000,
      idleTimeoutMillis: 300_000,
    });
    const wh = new SnowflakeWarehouse(pool, opts.queryTag, opts.retry ?? DEFAULT_RETRY, true);
    try {
      await wh.exec([...SCHEMAS.map((s) => `create schema if not exists ${s}`), `create stage if not exists ${RAW_STAGE}`].join(';\n'));
    } catch (err) {
      await wh.close();
      throw err;
    }
    return wh;
  }

  withQueryTag(tag: string): SnowflakeWarehouse {
    return new SnowflakeWarehouse(this.pool, tag, this.retry, false, this.control);
  }

  /** A view whose statements are cancelled on the server when `control.signal` aborts (Snowflake reports no progress). */
  controlled(control: StatementControl): SnowflakeWarehouse {
    return new SnowflakeWarehouse(this.pool, this.tag, this.retry, false, control);
  }

  async query<T extends Row = Row>(sql: string, params?: Params): Promise<T[]> {
    return withRetry(() => this.withConnection((c) => runScript<T>(c, sql, params, this.tag, this.control?.signal)), this.retry);
  }

  async exec(sql: string, params?: Params): Promise<void> {
    await this.query(sql, params);
  }

  /**
   * BEGIN … COMMIT on one session; ROLLBACK when fn throws. Not retried as a whole (fn may have
   * done other things); Temporal retries the activity. Snowflake commits implicitly before any
   * DDL statement, so transactions here are for DML.
   */
  async transaction<T>(fn: (tx: Session) => Promise<T>): Promise<T> {
    const c = await withRetry(() => this.pool.acquire(), this.retry);
    let healthy = true;
    try {
      await runScript(c, 'begin transaction', undefined, this.tag, this.control?.signal);
      const result = await fn(sessionOn(c, this.tag, this.control?.signal));
      await runScript(c, 'commit', undefined, this.tag, this.control?.signal);
      return result;
    } catch (err) {
      await runScript(c, 'rollback', undefined, this.tag).catch(() => (healthy = false));
      throw err;
    } finally {
      await (healthy && c.isUp() ? this.pool.release(c) : this.pool.destroy(c));
    }
  }

  async loadRawFile(table: string, source: BulkLoadSource, columns: readonly (string | RawColumn)[]): Promise<RawLoadResult> {
    // One session for the whole load: PUT, COPY and the temporary Parquet table belong together.
    return withRetry(() => this.withConnection((c) => loadRawFileSnowflake(sessionOn(c, this.tag, this.control?.signal), table, source, columns)), this.retry);
  }

  async close(): Promise<void> {
    if (!this.ownsPool) return;
    await this.pool.drain();
    await this.pool.clear();
  }

  private async withConnection<T>(fn: (c: SdkConnection) => Promise<T>): Promise<T> {
    const c = await this.pool.acquire();
    try {
      return await fn(c);
    } finally {
      await (c.isUp() ? this.pool.release(c) : this.pool.destroy(c));
    }
  }
}

function sessionOn(c: SdkConnection, tag: string | undefined, signal?: AbortSignal): Session {
  return {
    query: <R extends Row = Row>(s: string, p?: Params) => runScript<R>(c, s, p, tag, signal),
    exec: async (s: string, p?: Params) => void (await runScript(c, s, p, tag, signal)),
  };
}

/**
 * Sent with every statement: the session's time zone is UTC whatever the account, user or worker
 * says, so casts and CURRENT_TIMESTAMP never depend on where the worker runs (issue #13).
 */
const SESSION = { TIMEZONE: 'UTC' } as const;

/** Runs each statement of a script in order and returns the last one's rows; an abort cancels the running one and stops the rest. */
async function runScript<T>(c: SdkConnection, sql: string, params: Params | undefined, tag: string | undefined, signal?: AbortSignal): Promise<T[]> {
  let rows: Record<string, unknown>[] = [];
  for (const statement of splitStatements(sql)) {
    const { sqlText, binds } = toPositionalBinds(statement, params);
    rows = await executeStatement(c, sqlText, binds, tag ? { ...SESSION, QUERY_TAG: tag } : SESSION, signal);
  }
  return rows.map((r) => normaliseSnowflakeRow(r) as T);
}

function connectionOptions(opts: SnowflakeOptions): SdkConnectionOptions {
  const auth =
    opts.auth.kind === 'password'
      ? { password: opts.auth.password }
      : { authenticator: 'SNOWFLAKE_JWT' as const, privateKeyPath: opts.auth.privateKeyPath, privateKeyPass: opts.auth.privateKeyPass };
  return {
    account: opts.account,
    username: opts.username,
    database: opts.database,
    warehouse: opts.warehouse,
    role: opts.role,
    schema: opts.schema,
    host: opts.host,
    port: opts.port,
    protocol: opts.protocol,
    application: 'marketing-dag',
    clientSessionKeepAlive: true,
    ...auth,
  };
}
