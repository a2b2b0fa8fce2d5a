import type { ActivityFunction, ActivityOptions } from '@temporalio/common';
import type { ActivityFunctionWithOptions } from '@temporalio/workflow';

/**
 * The activity with a summary on every call, so the Temporal UI's timeline says what each step
 * does ("apply plan v2 to silver of 2026-03-01") instead of only the activity's name. Call sites
 * stay as they are; the options are the ones the activity was proxied with.
 */
export function summarised<T extends ActivityFunction>(
  activity: ActivityFunctionWithOptions<T>,
  options: ActivityOptions,
  summary: (...args: Parameters<T>) => string,
): (...args: Parameters<T>) => Promise<Awaited<ReturnType<T>>> {
  return (...args) => activity.executeWithOptions({ ...options, summary: summary(...args) }, args);
}
