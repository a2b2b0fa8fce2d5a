/**
 * The warehouse seen by activities: a handful of methods, nothing dialect-specific.
 *
 * SQL text comes only from files under sql/ (rendered by lib/sql) or from constants in code;
 * values always travel as bound parameters written `$name` in the SQL. Identifiers that come
 * from configuration or input are checked with `assertIdentifier` and quoted by the caller's
 * template, never concatenated raw.
 */
export type SqlValue = string | number | boolean | null;
export type Params = Record<string, SqlValue>;
export type Row = Record<string, unknown>;

export type Dialect = 'duckdb' | 'snowflake';

export interface Session {
  /** Runs one statement (or a `;`-separated script when params is empty) and returns its rows. */
  query<T extends Row = Row>(sql: string, params?: Params): Promise<T[]>;
  /** Runs statements for their effect. */
  exec(sql: string, params?: Params): Promise<void>;
}

export interface BulkLoadSource {
  /** Local path of the file to load (the object store materialises remote objects first). */
  path: string;
  format: 'csv' | 'ndjson' | 'parquet';
  compression: 'none' | 'gzip';
  /** CSV field delimiter (one character; default ','). Quotes are always `"`. */
  delimiter?: string;
}

/** A raw-table column and the file headers that fill it, in order of preference (its own name first, then aliases). */
export interface RawColumn {
  name: string;
  headers: readonly string[];
}

export interface RawLoadResult {
  rows: number;
  /** Column names as found in the file (header / keys / Parquet schema), in file order. */
  fileColumns: string[];
  /**
   * CSV and Parquet: every column of the file in file order — its header as written, and the
   * raw-table column holding it: a declared column, or `_extra_<i>` for one that fills none (so a
   * quarantined row can be shown exactly as read). NDJSON keeps each line in `_raw` instead.
   */
  layout?: { header: string; column: string }[];
}

/** How an activity watches and stops the statements it runs (lib/heartbeat.ts binds it to the activity). */
export interface StatementControl {
  /** Aborted → the running statement is interrupted (DuckDB interrupt, Snowflake cancel) and the call rejects with StatementCancelledError. */
  signal: AbortSignal;
  /** Receives the engine's progress of the running statement, 0..1, where the engine reports one (DuckDB). */
  onProgress?: (fraction: number) => void;
}

/** A statement stopped because its StatementControl's signal was aborted; in a transaction, nothing was committed. */
export class StatementCancelledError extends Error {
  override name = 'StatementCancelledError';
}

export interface Warehouse extends Session {
  readonly dialect: Dialect;
  /**
   * Schema for throw-away tables that only live during one activity (raw file reads): DuckDB
   * uses an attached in-memory database (no WAL or checkpoint for rows that are about to be
   * split and dropped); Snowflake uses its `staging` schema.
   */
  readonly scratchSchema: string;
  /** Runs fn in one transaction: committed when it resolves, rolled back when it throws. */
  transaction<T>(fn: (tx: Session) => Promise<T>): Promise<T>;
  /**
   * Loads a raw file into `table` (created or replaced) with exactly `columns`, every one as
   * VARCHAR — each filled from the first of its `headers` the file has (aliases) — plus
   * `_extra_<i>` for the file's other columns (CSV, Parquet on DuckDB), `_line` (line in the
   * file; exact unless quoted fields span lines or blank lines precede the row — DuckDB's reader
   * skips blank lines without counting them), `_error` (NULL, or why the reader could not parse
   * that line) and `_raw` (the line as read: for unparsable lines, and for every NDJSON line) —
   * so a malformed line becomes a quarantine entry instead of failing the load — at warehouse
   * speed: DuckDB reads the file directly; Snowflake gets it rewritten in the raw table's exact
   * shape (snowflake-raw-file.ts), staged (PUT) and COPYed. Declared columns the file lacks are
   * loaded as NULL (the contract then quarantines rows that needed them); columns the file has
   * but the contract does not declare are kept only for quarantine records. Both are reported
   * so the audit can name them.
   */
  loadRawFile(table: string, source: BulkLoadSource, columns: readonly (string | RawColumn)[]): Promise<RawLoadResult>;
  /** The same warehouse whose statements obey `control` (closing the view closes nothing). */
  controlled?(control: StatementControl): Warehouse;
  close(): Promise<void>;
}

const IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/;

/** Accepts `name` or `schema.name` made of lowercase letters, digits and underscores. */
export function assertIdentifier(name: string): string {
  const parts = name.split('.');
  if (parts.length > 2 || !parts.every((p) => IDENTIFIER.test(p))) {
    throw new InvalidIdentifierError(name);
  }
  return name;
}

export class InvalidIdentifierError extends Error {
  override name = 'InvalidIdentifierError';
  constructor(identifier: string) {
    super(`invalid SQL identifier ${JSON.stringify(identifier.slice(0, 80))}: use lowercase letters, digits and _ (schema.table at most)`);
  }
}
