import * as fs from 'node:fs';
import * as path from 'node:path';
import { SQL_DIR, readSqlFile } from '../lib/sql/render';
import { CLEANABLE_TABLES, type CleanableTable } from './vocabulary';

/**
 * Which rows a check flags: sql/cleaning/flags/<check>.sql holds a predicate over the check's
 * table (alias `t`), with the header `-- table: <table>`. Operations that act on "the rows a
 * check flags" compile with it, so a plan can only name checks, never write predicates.
 */
export interface FlagDefinition {
  check: string;
  table: CleanableTable;
  /** SQL from our own file; may use `{{ <table> }}` variables and `$partition_date`. */
  predicate: string;
}

let cache: Record<string, FlagDefinition> | undefined;

export function flagDefinitions(): Record<string, FlagDefinition> {
  if (cache) return cache;
  const dir = path.join(SQL_DIR, 'cleaning', 'flags');
  const defs = fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.sql'))
    .sort()
    .map((f) => {
      const text = readSqlFile(`cleaning/flags/${f}`);
      const table = /^--\s*table:\s*([a-z_]+)\s*$/m.exec(text)?.[1] as CleanableTable | undefined;
      if (!table || !CLEANABLE_TABLES.includes(table))
        throw new Error(`sql/cleaning/flags/${f}: header "-- table:" must name one of ${CLEANABLE_TABLES.join(', ')}`);
      const predicate = text
        .split('\n')
        .filter((l) => !l.startsWith('--'))
        .join('\n')
        .trim();
      return { check: path.basename(f, '.sql'), table, predicate };
    });
  cache = Object.fromEntries(defs.map((d) => [d.check, d]));
  return cache;
}
