import * as fs from 'node:fs';
import * as path from 'node:path';
import { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import type { BulkLoadSource, Params, RawColumn, RawLoadResult, Row, Session, Warehouse } from '../warehouse';
import { loadRawFile } from './duckdb-raw-load';
import { normaliseRow } from './duckdb-values';

export interface DuckDbOptions {
  /** File path, or ':memory:'. */
  path: string;
  threads?: number;
  memoryLimit?: string;
}

/**
 * DuckDB allows one writing process per file, so the worker process owns the file: one
 * DuckDBInstance per process, shared by every activity, and a fresh connection per call
 * (connections are cheap; DuckDB's MVCC lets concurrent activities write different partitions).
 * Other processes (CLI, notebooks) read through the worker or open the file read-only while the
 * worker is stopped.
 */
export class DuckDbWarehouse implements Warehouse {
  readonly dialect = 'duckdb' as const;
  readonly scratchSchema = 'scratch';
  private constructor(private readonly instance: DuckDBInstance) {}

  static async open(opts: DuckDbOptions): Promise<DuckDbWarehouse> {
    if (opts.path !== ':memory:') fs.mkdirSync(path.dirname(opts.path), { recursive: true });
    const settings: Record<string, string> = {};
    if (opts.threads) settings.threads = String(opts.threads);
    if (opts.memoryLimit) settings.memory_limit = opts.memoryLimit;
    const instance = await DuckDBInstance.create(opts.path, settings);
    const wh = new DuckDbWarehouse(instance);
    await wh.exec(
      'create schema if not exists bronze; create schema if not exists silver; create schema if not exists gold; create schema if not exists ops; create schema if not exists ml; create schema if not exists mmm; create schema if not exists staging',
    );
    await wh.exec(`attach if not exists ':memory:' as scratch`);
    // DuckDB's session zone defaults to the machine's TZ: casts of text to timestamptz and
    // timestamptz to text would then depend on where the worker runs (issue #13). Every
    // connection of this instance works in UTC.
    await wh.exec(`set global TimeZone = 'UTC'`);
    return wh;
  }

  async query<T extends Row = Row>(sql: string, params?: Params): Promise<T[]> {
    return this.withConnection((c) => runQuery<T>(c, sql, params));
  }

  async exec(sql: string, params?: Params): Promise<void> {
    await this.withConnection((c) => runExec(c, sql, params));
  }

  async transaction<T>(fn: (tx: Session) => Promise<T>): Promise<T> {
    return this.withConnection(async (c) => {
      await c.run('begin transaction');
      try {
        const result = await fn({ query: (s, p) => runQuery(c, s, p), exec: (s, p) => runExec(c, s, p) });
        await c.run('commit');
        return result;
      } catch (err) {
        await c.run('rollback').catch(() => undefined);
        throw err;
      }
    });
  }

  async loadRawFile(table: string, source: BulkLoadSource, columns: readonly (string | RawColumn)[]): Promise<RawLoadResult> {
    return this.withConnection((c) => loadRawFile(c, table, source, columns));
  }

  async close(): Promise<void> {
    this.instance.closeSync();
  }

  private async withConnection<T>(fn: (c: DuckDBConnection) => Promise<T>): Promise<T> {
    const c = await this.instance.connect();
    try {
      return await fn(c);
    } finally {
      c.closeSync();
    }
  }
}

async function runQuery<T>(c: DuckDBConnection, sql: string, params?: Params): Promise<T[]> {
  const reader = params && Object.keys(params).length ? await c.runAndReadAll(sql, params) : await c.runAndReadAll(sql);
  return reader.getRowObjectsJS().map((r) => normaliseRow(r) as T);
}

async function runExec(c: DuckDBConnection, sql: string, params?: Params): Promise<void> {
  if (params && Object.keys(params).length) await c.run(sql, params);
  else await c.run(sql);
}
