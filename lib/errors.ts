import { ApplicationFailure } from '@temporalio/common';
import { ConfigError } from '../config/config';

/**
 * Warehouse errors that no retry can fix (the SQL or the data is wrong), by the messages DuckDB
 * and Snowflake use. Everything else (locks, conflicts, I/O, network) stays retryable.
 */
const PERMANENT = [
  /^Catalog Error/,
  /^Binder Error/,
  /^Parser Error/,
  /^Conversion Error/,
  /^Invalid Input Error/,
  /^Constraint Error/,
  /SQL compilation error/i,
  /^Not implemented Error/,
];

export function isPermanentSqlError(err: unknown): boolean {
  const msg = String((err as Error)?.message ?? '');
  return PERMANENT.some((re) => re.test(msg));
}

/**
 * Wraps every activity so errors no retry can fix fail fast: permanent SQL errors as
 * non-retryable `SqlError`s, configuration errors (a launcher without its settings or engine, a
 * missing key) as non-retryable `ConfigError`s, whatever the activity's retry policy says.
 */
export function failFastOnPermanentErrors<T extends Record<string, (...args: never[]) => Promise<unknown>>>(activities: T): T {
  const wrapped: Record<string, unknown> = {};
  for (const [name, fn] of Object.entries(activities)) {
    wrapped[name] = async (...args: never[]) => {
      try {
        return await fn(...args);
      } catch (err) {
        if (isPermanentSqlError(err)) throw ApplicationFailure.nonRetryable((err as Error).message.split('\n')[0], 'SqlError');
        if (err instanceof ConfigError) throw ApplicationFailure.nonRetryable(err.message, 'ConfigError');
        throw err;
      }
    };
    // Keep the function name: it is the activity type shown in the UI.
    Object.defineProperty(wrapped[name], 'name', { value: name });
  }
  return wrapped as T;
}
