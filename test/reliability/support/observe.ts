import type { WorkflowHandle } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { DuckDbWarehouse } from '../../../adapters/warehouse/duckdb/duckdb-warehouse';
import { scaled } from '../../support/time';

const STARTED = temporal.api.enums.v1.PendingActivityState.PENDING_ACTIVITY_STATE_STARTED;

/**
 * Polls the workflow's pending activities until one of `activityType` is running on a worker
 * (state STARTED, first attempt). History cannot tell: with a retry policy the server writes
 * ActivityTaskStarted only when the attempt ends.
 */
export async function waitUntilRunning(handle: WorkflowHandle, activityType: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + scaled(timeoutMs);
  while (Date.now() < deadline) {
    const { raw } = await handle.describe();
    if ((raw.pendingActivities ?? []).some((a) => a.activityType?.name === activityType && a.state === STARTED)) return;
    if (raw.workflowExecutionInfo?.closeTime) throw new Error(`${handle.workflowId} closed before ${activityType} started`);
    await new Promise((r) => setTimeout(r, 15));
  }
  throw new Error(`${activityType} did not start within ${timeoutMs} ms`);
}

/** How many attempts each completed activity of a type needed, from the workflow history. */
export async function completedAttempts(handle: WorkflowHandle, activityType: string): Promise<number[]> {
  const events = (await handle.fetchHistory()).events ?? [];
  const typeOf = new Map<string, string>();
  const attemptOf = new Map<string, number>();
  const attempts: number[] = [];
  for (const e of events) {
    const id = String(e.eventId);
    if (e.activityTaskScheduledEventAttributes) typeOf.set(id, e.activityTaskScheduledEventAttributes.activityType?.name ?? '');
    const s = e.activityTaskStartedEventAttributes;
    if (s) attemptOf.set(String(s.scheduledEventId), s.attempt ?? 1);
    const c = e.activityTaskCompletedEventAttributes;
    if (c && typeOf.get(String(c.scheduledEventId)) === activityType) attempts.push(attemptOf.get(String(c.scheduledEventId)) ?? 1);
  }
  return attempts;
}

/** The results of the completed activities of a type, from the history (tests run without a codec). */
export async function completedResults(handle: WorkflowHandle, activityType: string): Promise<unknown[]> {
  const events = (await handle.fetchHistory()).events ?? [];
  const typeOf = new Map<string, string>();
  const results: unknown[] = [];
  for (const e of events) {
    if (e.activityTaskScheduledEventAttributes) typeOf.set(String(e.eventId), e.activityTaskScheduledEventAttributes.activityType?.name ?? '');
    const c = e.activityTaskCompletedEventAttributes;
    if (c && typeOf.get(String(c.scheduledEventId)) === activityType) results.push(defaultPayloadConverter.fromPayload(c.result!.payloads![0]));
  }
  return results;
}

/**
 * Row counts of every table the pipeline writes (bronze, silver, gold, ml, quarantine,
 * publications), read from the DuckDB file once its worker has stopped. Run audits
 * (ops.load_audit, ops.pipeline_runs, ops.dq_results) differ by design between runs and are left out.
 */
export async function tableCounts(duckdbFile: string): Promise<Record<string, number>> {
  const wh = await DuckDbWarehouse.open({ path: duckdbFile });
  try {
    const tables = await wh.query<{ t: string }>(
      `select table_schema || '.' || table_name as t from information_schema.tables
       where table_catalog = current_database() and (table_schema in ('bronze', 'silver', 'gold', 'ml') or (table_schema = 'ops' and table_name in ('quarantine', 'gold_publications')))
       order by 1`,
    );
    const counts: Record<string, number> = {};
    // Names come from the catalog, not from input.
    for (const { t } of tables) counts[t] = Number((await wh.query<{ n: number }>(`select count(*) as n from ${t}`))[0].n);
    return counts;
  } finally {
    await wh.close();
  }
}

export interface CleaningRows {
  /** ops.cleaning_audit without its time, in a stable order. */
  audit: { workflow_id: string; plan_version: number; kind: string; actor: string; detail: string }[];
  /** ops.cleaning_quarantine per (table, check, plan version): how many rows and an md5 of the records themselves. */
  quarantined: { table_name: string; check_name: string; plan_version: number; n: number; records: string }[];
}

/** What a cleaning review wrote besides silver and gold (empty when no review ran). */
export async function cleaningRows(duckdbFile: string): Promise<CleaningRows> {
  const wh = await DuckDbWarehouse.open({ path: duckdbFile });
  try {
    const [exists] = await wh.query<{ n: number }>(
      `select count(*) as n from information_schema.tables where table_schema = 'ops' and table_name = 'cleaning_audit'`,
    );
    if (!Number(exists.n)) return { audit: [], quarantined: [] };
    const audit = await wh.query<CleaningRows['audit'][number]>(
      `select workflow_id, plan_version, kind, actor, detail from ops.cleaning_audit order by workflow_id, plan_version, kind, actor, detail`,
    );
    const quarantined = await wh.query<CleaningRows['quarantined'][number]>(
      `select table_name, check_name, plan_version, count(*) as n, md5(string_agg(raw_record, '|' order by raw_record)) as records
       from ops.cleaning_quarantine group by all order by all`,
    );
    return { audit, quarantined: quarantined.map((q) => ({ ...q, plan_version: Number(q.plan_version), n: Number(q.n) })) };
  } finally {
    await wh.close();
  }
}
