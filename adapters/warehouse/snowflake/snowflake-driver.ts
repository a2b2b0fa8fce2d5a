import { StatementCancelledError } from '../warehouse';

/**
 * The small part of `snowflake-sdk` this adapter uses, declared here so the driver is not a hard
 * type dependency (kysely's habit): the module is loaded only when a Snowflake warehouse opens,
 * and a newcomer on DuckDB never touches it.
 */
export interface SdkConnectionOptions {
  account: string;
  username: string;
  database: string;
  warehouse: string;
  schema?: string;
  role?: string;
  password?: string;
  authenticator?: 'SNOWFLAKE' | 'SNOWFLAKE_JWT';
  privateKeyPath?: string;
  privateKeyPass?: string;
  host?: string;
  port?: number;
  protocol?: 'http' | 'https';
  application?: string;
  clientSessionKeepAlive?: boolean;
}

export type SdkBind = string | number | boolean | null;

export interface SdkColumn {
  getName(): string;
  getType(): string;
}

export interface SdkStatement {
  getColumns(): SdkColumn[] | undefined;
  getQueryId(): string;
  /** Asks the server to abort the statement (POST /queries/v1/abort-request). */
  cancel(callback?: (err: SdkError | undefined) => void): void;
}

export interface SdkExecuteOptions {
  sqlText: string;
  binds?: SdkBind[];
  /** Statement-level session parameters, e.g. { QUERY_TAG: '…' }. */
  parameters?: Record<string, string | number | boolean>;
  /** 'JSON' returns VARIANT/OBJECT/ARRAY as their JSON text instead of parsing it. */
  fetchAsString?: Array<'JSON'>;
  complete: (err: SdkError | undefined, stmt: SdkStatement, rows: Record<string, unknown>[] | undefined) => void;
}

export interface SdkConnection {
  execute(options: SdkExecuteOptions): SdkStatement;
  isUp(): boolean;
}

/** generic-pool's Pool, as snowflake-sdk's createPool returns it. */
export interface SdkPool {
  acquire(): Promise<SdkConnection>;
  release(c: SdkConnection): Promise<void>;
  destroy(c: SdkConnection): Promise<void>;
  drain(): Promise<void>;
  clear(): Promise<void>;
}

/** The fields snowflake-sdk puts on its errors (see its lib/errors.js). */
export interface SdkError extends Error {
  code?: string | number;
  sqlState?: string;
  data?: unknown;
  response?: { status?: number };
  cause?: { code?: string };
  isFatal?: boolean;
}

interface SnowflakeSdk {
  configure(options: { logLevel?: string; additionalLogToConsole?: boolean }): void;
  createPool(options: SdkConnectionOptions, poolOptions: { max: number; min: number; evictionRunIntervalMillis?: number; idleTimeoutMillis?: number }): SdkPool;
}

let sdk: SnowflakeSdk | undefined;

/** Loads snowflake-sdk once; its own logging is switched off (it would print SQL and hosts). */
export function loadSnowflakeSdk(): SnowflakeSdk {
  if (!sdk) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    sdk = require('snowflake-sdk') as SnowflakeSdk;
    sdk.configure({ logLevel: 'OFF', additionalLogToConsole: false });
  }
  return sdk;
}

/**
 * One statement on one connection, as a promise of its rows (empty for DDL/DML-less answers).
 * With `signal`: when it aborts, the statement is cancelled on the server and the promise rejects
 * at once with StatementCancelledError (the server's answer to the cancelled statement is ignored).
 */
export function executeStatement(
  c: SdkConnection,
  sqlText: string,
  binds: SdkBind[],
  parameters: Record<string, string> | undefined,
  signal?: AbortSignal,
): Promise<Record<string, unknown>[]> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new StatementCancelledError('statement not started: cancelled'));
    const onAbort = () => {
      stmt.cancel(() => undefined);
      reject(new StatementCancelledError(`statement ${stmt.getQueryId?.() ?? ''} cancelled on the server`.replace('  ', ' ')));
    };
    const stmt = c.execute({
      sqlText,
      binds: binds.length ? binds : undefined,
      parameters,
      fetchAsString: ['JSON'],
      complete: (err, _stmt, rows) => {
        signal?.removeEventListener('abort', onAbort);
        return err ? reject(err) : resolve(rows ?? []);
      },
    });
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
