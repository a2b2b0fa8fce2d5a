import { ApplicationFailure } from '@temporalio/common';

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

/** Wraps every activity so permanent SQL errors fail fast, as non-retryable `SqlError`s. */
export function failFastOnPermanentErrors<T extends Record<string, (...args: never[]) => Promise<unknown>>>(activities: T): T {
  const wrapped: Record<string, unknown> = {};
  for (const [name, fn] of Object.entries(activities)) {
    wrapped[name] = async (...args: never[]) => {
      try {
        return await fn(...args);
      } catch (err) {
        if (isPermanentSqlError(err)) throw ApplicationFailure.nonRetryable((err as Error).message.split('\n')[0], 'SqlError');
        throw err;
      }
    };
    // Keep the function name: it is the activity type shown in the UI.
    Object.defineProperty(wrapped[name], 'name', { value: name });
  }
  return wrapped as T;
}
