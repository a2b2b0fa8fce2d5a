import * as fs from 'node:fs';
import * as path from 'node:path';
import { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import {
  StatementCancelledError,
  type BulkLoadSource,
  type Params,
  type RawColumn,
  type RawLoadResult,
  type Row,
  type Session,
  type StatementControl,
  type Warehouse,
} from '../warehouse';
import { loadRawFile } from './duckdb-raw-load';
import { normaliseRow } from './duckdb-values';

export interface DuckDbOptions {
  /** File path, or ':memory:'. */
  path: string;
  threads?: number;
  memoryLimit?: string;
}

/** How often a controlled call reads the running statement's progress, and re-interrupts after an abort. */
const WATCH_MS = 250;
/** Query progress needs DuckDB's progress bar on for the connection (it never prints). */
const PROGRESS_ON = 'set enable_progress_bar = true; set enable_progress_bar_print = false; set progress_bar_time = 200';

/**
 * DuckDB allows one writing process per file, so the worker process owns the file: one
 * DuckDBInstance per process, shared by every activity, and a fresh connection per call
 * (connections are cheap; DuckDB's MVCC lets concurrent activities write different partitions).
 * Other processes (CLI, notebooks) read through the worker or open the file read-only while the
 * worker is stopped.
 *
 * A `controlled` view interrupts its connection when the control's signal aborts — again every
 * 250 ms until the call settles, so a multi-statement call (a raw load, a transaction) cannot slip
 * its next statement past the abort — and reports DuckDB's query progress.
 */
export class DuckDbWarehouse implements Warehouse {
  readonly dialect = 'duckdb' as const;
  readonly scratchSchema = 'scratch';
  private constructor(
    private readonly instance: DuckDBInstance,
    private readonly control?: StatementControl,
  ) {}

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

  controlled(control: StatementControl): DuckDbWarehouse {
    return new DuckDbWarehouse(this.instance, control);
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
    if (this.control) return; // a view: the instance belongs to the warehouse that opened it
    this.instance.closeSync();
  }

  private async withConnection<T>(fn: (c: DuckDBConnection) => Promise<T>): Promise<T> {
    const control = this.control;
    if (control?.signal.aborted) throw new StatementCancelledError('statement not started: cancelled');
    const c = await this.instance.connect();
    if (control?.onProgress) await c.run(PROGRESS_ON);
    let interrupter: NodeJS.Timeout | undefined;
    const interrupt = () => {
      c.interrupt();
      interrupter ??= setInterval(() => c.interrupt(), WATCH_MS);
    };
    const progress = control?.onProgress
      ? setInterval(() => {
          const p = c.progress.percentage;
          if (p >= 0) control.onProgress!(Math.min(1, p / 100));
        }, WATCH_MS)
      : undefined;
    control?.signal.addEventListener('abort', interrupt, { once: true });
    try {
      if (control?.signal.aborted) throw new Error('aborted before the first statement'); // while connecting
      return await fn(c);
    } catch (err) {
      if (control?.signal.aborted) throw new StatementCancelledError(`statement interrupted: cancelled (${(err as Error).message.split('\n')[0]})`);
      throw err;
    } finally {
      control?.signal.removeEventListener('abort', interrupt);
      clearInterval(interrupter);
      clearInterval(progress);
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
