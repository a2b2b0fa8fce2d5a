import { ApplicationFailure } from '@temporalio/common';
import { activeContracts, allSources } from '../../contracts/sources';
import { recordUnmatchedFiles } from '../contracts/unmatched-files';
import type { ActivityDeps } from '../../lib/deps';
import { decidedInRun, liveObjects, writeAudit, type AuditRow, type LiveObject } from './audit';
import { listLandingFiles, landingPrefix, type LandingFile } from './landing';
import { clearObject } from './load-bronze';

/**
 * THE CURRENT DELIVERY of partition D is the set of data objects under `landing/D/` at listing
 * time, each at its latest bytes (README "The current delivery"). Before a run loads anything,
 * `reconcileLanding` makes bronze agree with that set:
 * - an object loaded earlier for D and no longer listed was WITHDRAWN: its rows and quarantine
 *   rows leave bronze in one transaction with a `retracted` audit row (how many rows);
 * - but when the folder lists no data object at all while D still has a delivery, nothing is
 *   retracted: the objects were archived or deleted by a lifecycle rule, and bronze keeps them
 *   (`kept_unlisted`), until someone withdraws the day explicitly (`dag landing retract D`);
 * - objects that cannot be loaded by name (unknown source, a name the store cannot address)
 *   are reported and audited, never loaded, and never fail the run.
 * Retraction comes first, so a renamed object (same bytes, new name) is never refused as a
 * duplicate of its own former name.
 */
export interface DeliveryPlan {
  date: string;
  /** Objects to load (each `loadBronzeFile`). */
  files: LandingFile[];
  ignored: string[];
  invalid: { key: string; reason: string }[];
  retracted: { key: string; rows: number }[];
  /** Set when the folder is empty but the partition still holds a delivery (nothing was retracted). */
  kept?: { objects: number; rows: number; message: string };
}

export interface ReconcileInput {
  date: string;
  /** Withdraw objects that are no longer listed even when the folder is empty: every one ('all') or these keys. */
  retract?: 'all' | string[];
}

export async function reconcileLanding(deps: ActivityDeps, input: ReconcileInput): Promise<DeliveryPlan> {
  const { warehouse: wh } = deps;
  const { date } = input;
  const listing = await listLandingFiles(deps.store, date);
  const listed = new Set(listing.files.map((f) => f.key));
  const live = await liveObjects(wh, date);
  const unlisted = live.filter((o) => !listed.has(o.key));
  const plan: DeliveryPlan = { date, files: listing.files, ignored: listing.ignored, invalid: listing.invalid ?? [], retracted: [] };

  const explicit = input.retract === 'all' ? unlisted : unlisted.filter((o) => input.retract?.includes(o.key));
  for (const key of Array.isArray(input.retract) ? input.retract : []) {
    if (listed.has(key))
      throw ApplicationFailure.nonRetryable(`${key} is still in the landing folder: delete it first, or the next run loads it again`, 'InvalidInput');
    if (!live.some((o) => o.key === key))
      throw ApplicationFailure.nonRetryable(`${key} holds nothing in bronze for ${date}: nothing to retract`, 'InvalidInput');
  }
  const archived = listing.files.length === 0 && unlisted.length > 0;
  const withdrawn = archived ? explicit : unlisted;
  for (const o of withdrawn)
    plan.retracted.push({ key: o.key, rows: await retract(deps, date, o, input.retract ? 'withdrawn explicitly' : `no longer in ${landingPrefix(date)}`) });

  const kept = withdrawn.length ? unlisted.filter((o) => !withdrawn.includes(o)) : archived ? unlisted : [];
  if (kept.length) {
    const rows = kept.reduce((s, o) => s + o.rowsLoaded, 0);
    plan.kept = {
      objects: kept.length,
      rows,
      message: `${landingPrefix(date)} is empty: bronze kept as loaded (${rows} rows from ${kept.length} objects) — archived or deleted by a lifecycle rule? withdraw the day explicitly with \`dag landing retract ${date}\``,
    };
    for (const o of kept) await auditOnce(deps, { date, source: o.source, key: o.key, status: 'kept_unlisted', message: plan.kept.message });
  }
  await recordUnmatchedFiles(deps, date, plan.ignored);
  for (const key of plan.ignored)
    await auditOnce(deps, {
      date,
      source: null,
      key,
      status: 'ignored_unknown_source',
      message: unmatchedReason(key.slice(landingPrefix(date).length)),
    });
  for (const o of plan.invalid)
    await auditOnce(deps, { date, source: null, key: o.key, status: 'ignored_invalid_name', message: `name not loadable: ${o.reason}; rename the object` });
  if (plan.invalid.length)
    deps.logger.warn('landing objects with names the store cannot address were ignored', { partition: date, objects: plan.invalid.map((o) => o.key) });
  return plan;
}

function unmatchedReason(name: string): string {
  const m = activeContracts().matchFile(name);
  return 'reason' in m ? m.reason : 'not loaded';
}

/** Removes an object's rows from bronze and ops.quarantine, with its `retracted` audit row, in one transaction. */
async function retract(deps: ActivityDeps, date: string, o: LiveObject, why: string): Promise<number> {
  const source = o.source ?? activeContracts().matchFile(o.key.slice(landingPrefix(date).length)).source?.name;
  if (!source) throw new Error(`cannot tell the source of ${o.key}`);
  const rows = await deps.warehouse.transaction(async (tx) => {
    const [n] = await tx.query<{ n: number }>(
      `select count(*) as n from bronze.${allSources().find((s) => s.name === source)!.name} where _partition_date = cast($d as date) and _source_key = $k`,
      {
        d: date,
        k: o.key,
      },
    );
    await clearObject(tx, source, { date, key: o.key });
    await writeAudit(tx, {
      date,
      source,
      key: o.key,
      generation: o.generation,
      checksum: o.checksum,
      md5: o.md5,
      status: 'retracted',
      rowsLoaded: Number(n.n),
      message: `${why}: ${Number(n.n)} rows removed from bronze.${source}`,
    });
    return Number(n.n);
  });
  deps.logger.info('landing object retracted', { partition: date, key: o.key, rows });
  return rows;
}

/** Audit rows of decisions that change nothing are written once per run (a retried activity adds none). */
async function auditOnce(deps: ActivityDeps, row: Omit<AuditRow, 'generation' | 'checksum'> & Partial<AuditRow>): Promise<void> {
  if (await decidedInRun(deps.warehouse, row.date, row.key, row.status)) return;
  await writeAudit(deps.warehouse, { ...row, generation: row.generation ?? null, checksum: row.checksum ?? null });
}

export interface BronzeHeld {
  date: string;
  /** Rows in bronze for the partition, all sources. */
  rows: number;
  /** Rows the contracts quarantined (row-level; unreadable files are in `failed`). */
  quarantined: number;
  /** Objects the partition holds (its live delivery). */
  objects: number;
  bySource: Record<string, { rows: number; quarantined: number }>;
  /** Objects of the delivery that could not be read: they block publication (files_failed). */
  failed: { key: string; reason: string }[];
}

/** What the partition holds after its loads, from the warehouse (what a summary must report, whatever the last attempt did). */
export async function describeBronzePartition(deps: ActivityDeps, input: { date: string }): Promise<BronzeHeld> {
  const { warehouse: wh } = deps;
  const d = { d: input.date };
  const bySource: BronzeHeld['bySource'] = {};
  for (const s of allSources()) {
    const [b] = await wh.query<{ n: number }>(`select count(*) as n from bronze.${s.name} where _partition_date = cast($d as date)`, d);
    bySource[s.name] = { rows: Number(b.n), quarantined: 0 };
  }
  for (const q of await wh.query<{ source: string; n: number }>(
    `select source, count(*) as n from ops.quarantine where partition_date = cast($d as date) and line is not null group by source`,
    d,
  ))
    if (bySource[q.source]) bySource[q.source].quarantined = Number(q.n);
  const live = await liveObjects(wh, input.date);
  const values = Object.values(bySource);
  return {
    date: input.date,
    rows: values.reduce((s, v) => s + v.rows, 0),
    quarantined: values.reduce((s, v) => s + v.quarantined, 0),
    objects: live.length,
    bySource,
    failed: live.filter((o) => o.status === 'failed').map((o) => ({ key: o.key, reason: o.message ?? 'unreadable' })),
  };
}
