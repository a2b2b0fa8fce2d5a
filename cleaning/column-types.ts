import type { SqlValue } from '../adapters/warehouse/warehouse';

/** Columns a plan may never rewrite: the partition key decides which rows a re-run replaces. */
const PROTECTED = new Set(['partition_date']);

/**
 * Why `name` cannot be used on this table (or why `value` does not fit its type), or undefined.
 * `columns` are the table's real columns (information_schema): name → data type.
 */
export function columnProblem(columns: Record<string, string>, table: string, name: string, value?: SqlValue): string | undefined {
  if (!Object.prototype.hasOwnProperty.call(columns, name))
    return `${table} has no column ${JSON.stringify(name.slice(0, 63))} (columns: ${Object.keys(columns).join(', ')})`;
  if (PROTECTED.has(name)) return `${table}.${name} is the partition key and cannot be changed`;
  if (value === undefined) return undefined;
  const type = columns[name].toUpperCase();
  const numeric = /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|DOUBLE|FLOAT|REAL|DECIMAL|NUMBER)/.test(type);
  if (numeric && typeof value !== 'number') return `${table}.${name} is ${type}: the default must be a number`;
  if (type === 'BOOLEAN' && typeof value !== 'boolean') return `${table}.${name} is BOOLEAN: the default must be true or false`;
  if (/^(VARCHAR|TEXT|STRING)/.test(type) && typeof value !== 'string') return `${table}.${name} is ${type}: the default must be text`;
  if (/^(DATE|TIMESTAMP)/.test(type) && (typeof value !== 'string' || Number.isNaN(Date.parse(value))))
    return `${table}.${name} is ${type}: the default must be an ISO date/time`;
  return undefined;
}
