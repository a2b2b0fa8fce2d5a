import { ApplicationFailure } from '@temporalio/common';
import { z } from 'zod';

/**
 * Every date the pipeline accepts lies in this range, whatever is configured: 0001-01-01 or
 * 9999-12-31 are typos or sentinels, never partitions. (The configured, narrower range is
 * DAG_PARTITION_MIN..DAG_PARTITION_MAX, checked by the CLI and at a workflow's start.)
 */
export const DATE_LIMITS = { min: '1900-01-01', max: '2199-12-31' } as const;

/** A calendar date `YYYY-MM-DD` that exists (2026-02-30 and 2026-13-45 are refused) within DATE_LIMITS. */
export const isoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, { message: 'must be a date like 2026-11-01', abort: true })
  .refine(
    (s) => {
      const d = new Date(`${s}T00:00:00Z`);
      return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
    },
    { message: 'is not a real calendar date', abort: true },
  )
  .refine((s) => s >= DATE_LIMITS.min && s <= DATE_LIMITS.max, `must be between ${DATE_LIMITS.min} and ${DATE_LIMITS.max}`);

export function addDays(date: string, days: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

/** Inclusive list of dates from `from` to `to`. */
export function dateRange(from: string, to: string): string[] {
  const out: string[] = [];
  for (let d = from; d <= to; d = addDays(d, 1)) out.push(d);
  return out;
}

/**
 * `2026-11-01` → `20261101`, for table names (staging.daily_kpis__20261101). The result is
 * spliced into SQL, so anything but a YYYY-MM-DD date is refused here, whoever called.
 */
export function compactDate(date: string): string {
  if (typeof date !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(date))
    throw ApplicationFailure.nonRetryable(`not a partition date: ${JSON.stringify(date)}`, 'InvalidInput');
  return date.replace(/-/g, '');
}
