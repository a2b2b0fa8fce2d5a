import { randomUUID } from 'node:crypto';
import type { Session } from '../../adapters/warehouse/warehouse';
import { activityContext } from '../../lib/heartbeat';

/**
 * ops.load_audit: one row per landing decision. The latest *effective* decision of a
 * (partition, object) says what bronze holds for it: the rows of the bytes it loaded
 * (`loaded`, `replaced`), or none (`duplicate_file`, `failed`, `retracted`). The other
 * decisions leave that as it was and say why (skips, kept objects, ignored names).
 */
export const DECISIONS = [
  'loaded',
  'replaced',
  'skipped_same_generation',
  'skipped_same_checksum',
  'duplicate_file',
  'failed',
  'retracted',
  'kept_unlisted',
  'ignored_invalid_name',
  'ignored_unknown_source',
] as const;
export type Decision = (typeof DECISIONS)[number];

/** Decisions that change what bronze holds for an object. */
export const EFFECTIVE: readonly Decision[] = ['loaded', 'replaced', 'duplicate_file', 'failed', 'retracted'];
const inList = (xs: readonly string[]) => xs.map((x) => `'${x}'`).join(', ');

export interface AuditRow {
  date: string;
  source: string | null;
  key: string;
  generation: string | null;
  checksum: string | null;
  md5?: string | null;
  status: Decision;
  rowsRead?: number;
  rowsLoaded?: number;
  rowsQuarantined?: number;
  errorRate?: number;
  missingColumns?: string[];
  extraColumns?: string[];
  message?: string | null;
  durationMs?: number;
}

/** The workflow run deciding (a retry of an activity belongs to the same run). */
export function decidingRun(): { workflowId: string | null; runId: string | null } {
  const wf = activityContext()?.info.workflowExecution;
  return { workflowId: wf?.workflowId ?? null, runId: wf?.runId ?? null };
}

/** UTC wall time as a timestamp literal every warehouse parses. */
export function nowUtc(): string {
  return new Date().toISOString().replace('T', ' ').replace('Z', '');
}

export async function writeAudit(s: Session, r: AuditRow): Promise<void> {
  const run = decidingRun();
  await s.exec(
    `insert into ops.load_audit (load_id, partition_date, source, source_key, source_generation, checksum, content_md5, status, rows_read, rows_loaded,
       rows_quarantined, error_rate, missing_columns, extra_columns, message, duration_ms, workflow_id, run_id, loaded_at)
     values ($id, cast($d as date), $s, $k, $gen, $checksum, $md5, $status, $read, $loaded, $quarantined, $rate, $missing, $extra, $message, $ms, $wf, $run, cast($now as timestamp))`,
    {
      id: randomUUID(),
      d: r.date,
      s: r.source,
      k: r.key,
      gen: r.generation,
      checksum: r.checksum,
      md5: r.md5 ?? null,
      status: r.status,
      read: r.rowsRead ?? 0,
      loaded: r.rowsLoaded ?? 0,
      quarantined: r.rowsQuarantined ?? 0,
      rate: r.errorRate ?? 0,
      missing: r.missingColumns?.join(',') || null,
      extra: r.extraColumns?.join(',') || null,
      message: r.message ?? null,
      ms: r.durationMs ?? 0,
      wf: run.workflowId,
      run: run.runId,
      now: nowUtc(),
    },
  );
}

export interface Decided {
  status: Decision;
  source: string | null;
  generation: string | null;
  checksum: string | null;
  md5: string | null;
  rowsRead: number;
  rowsLoaded: number;
  rowsQuarantined: number;
  errorRate: number;
  missingColumns: string[];
  extraColumns: string[];
  message: string | null;
  runId: string | null;
}

const DECIDED_COLUMNS = `status, source, source_generation, checksum, content_md5, rows_read, rows_loaded, rows_quarantined, error_rate, missing_columns, extra_columns, message, run_id`;

function decided(r: Record<string, unknown>): Decided {
  const list = (v: unknown) => (typeof v === 'string' && v ? v.split(',') : []);
  return {
    status: r.status as Decision,
    source: (r.source as string | null) ?? null,
    generation: (r.source_generation as string | null) ?? null,
    checksum: (r.checksum as string | null) ?? null,
    md5: (r.content_md5 as string | null) ?? null,
    rowsRead: Number(r.rows_read ?? 0),
    rowsLoaded: Number(r.rows_loaded ?? 0),
    rowsQuarantined: Number(r.rows_quarantined ?? 0),
    errorRate: Number(r.error_rate ?? 0),
    missingColumns: list(r.missing_columns),
    extraColumns: list(r.extra_columns),
    message: (r.message as string | null) ?? null,
    runId: (r.run_id as string | null) ?? null,
  };
}

/** The latest decision about an object, and the latest one that set what bronze holds for it. */
export async function objectState(s: Session, date: string, key: string): Promise<{ latest?: Decided; effective?: Decided }> {
  const rows = await s.query(
    `select ${DECIDED_COLUMNS} from ops.load_audit where partition_date = cast($d as date) and source_key = $k order by loaded_at desc`,
    { d: date, k: key },
  );
  const effective = rows.find((r) => EFFECTIVE.includes(r.status as Decision));
  return { latest: rows[0] && decided(rows[0]), effective: effective && decided(effective) };
}

export interface LiveObject extends Decided {
  key: string;
}

/** The partition's objects whose latest effective decision is not a retraction (what its delivery was). */
export async function liveObjects(s: Session, date: string): Promise<LiveObject[]> {
  const rows = await s.query(
    `select source_key, ${DECIDED_COLUMNS} from (
       select *, row_number() over (partition by source_key order by loaded_at desc) as recency
       from ops.load_audit where partition_date = cast($d as date) and status in (${inList(EFFECTIVE)})
     ) as latest where recency = 1 and status <> 'retracted' order by source_key`,
    { d: date },
  );
  return rows.map((r) => ({ key: String(r.source_key), ...decided(r) }));
}

/**
 * Another partition's object whose live bytes are these (same sha256) and that holds rows: the
 * same file dropped into a second date. Empty and header-only files hold none, so they are
 * never duplicates; copies within one partition are not either (silver keeps one row per key).
 */
export async function liveDuplicateOf(s: Session, date: string, checksum: string): Promise<{ date: string; key: string } | undefined> {
  const [row] = await s.query<{ d: string; k: string }>(
    `with candidates as (
       select distinct partition_date, source_key from ops.load_audit where checksum = $c and partition_date <> cast($d as date)
     ),
     latest as (
       select a.partition_date, a.source_key, a.status, a.checksum, a.rows_read,
              row_number() over (partition by a.partition_date, a.source_key order by a.loaded_at desc) as recency
       from ops.load_audit as a
       join candidates as c on c.partition_date = a.partition_date and c.source_key = a.source_key
       where a.status in (${inList(EFFECTIVE)})
     )
     select cast(partition_date as varchar) as d, source_key as k from latest
     where recency = 1 and status in ('loaded', 'replaced') and checksum = $c and rows_read > 0
     order by partition_date, source_key limit 1`,
    { c: checksum, d: date },
  );
  return row && { date: row.d, key: row.k };
}

/** Whether this run already wrote a decision about the object (so a retry writes none again). */
export async function decidedInRun(s: Session, date: string, key: string, status: Decision): Promise<boolean> {
  const { runId } = decidingRun();
  if (!runId) return false;
  const [row] = await s.query<{ n: number }>(
    `select count(*) as n from ops.load_audit where partition_date = cast($d as date) and source_key = $k and status = $status and run_id = $run`,
    { d: date, k: key, status, run: runId },
  );
  return Number(row.n) > 0;
}
