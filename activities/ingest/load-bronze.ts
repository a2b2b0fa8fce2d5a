import { createHash } from 'node:crypto';
import { ApplicationFailure } from '@temporalio/common';
import { sourceByName } from '../../contracts/sources';
import { fileColumnReport, rawLoadSpec, splitSql } from '../../contracts/validation-sql';
import { ObjectNotFoundError, assertObjectKey, type ObjectInfo } from '../../adapters/object-store/object-store';
import type { Session } from '../../adapters/warehouse/warehouse';
import type { ActivityDeps } from '../../lib/deps';
import { compactDate } from '../../lib/dates';
import { withHeartbeat } from '../../lib/heartbeat';
import { renderSql } from '../../lib/sql/render';
import { decidingRun, liveDuplicateOf, nowUtc, objectState, writeAudit, type Decided, type Decision } from './audit';
import { inspectFile } from './checksum';
import { landingPrefix } from './landing';
import { writeProcessedMarker } from './markers';

export { nowUtc } from './audit';
export { processedMarkerKey } from './markers';

export interface LoadBronzeInput {
  date: string;
  source: string;
  key: string;
}

export type LoadStatus = Extract<
  Decision,
  'loaded' | 'replaced' | 'skipped_same_generation' | 'skipped_same_checksum' | 'duplicate_file' | 'failed' | 'retracted'
>;

export interface LoadBronzeResult {
  source: string;
  key: string;
  status: LoadStatus;
  rowsRead: number;
  rowsLoaded: number;
  rowsQuarantined: number;
  errorRate: number;
  missingColumns: string[];
  extraColumns: string[];
  message?: string;
  durationMs: number;
}

/** Decisions after which bronze holds what the object's recorded bytes gave (rows, or a failure). */
const HELD: readonly Decision[] = ['loaded', 'replaced', 'failed'];

/**
 * Loads one landing object into bronze so that bronze holds exactly the rows of its current
 * bytes (README "The current delivery"): raw read at warehouse speed → the lines that break the
 * contract found in one pass → split into bronze and ops.quarantine. The rows, the quarantine
 * rows and the ops.load_audit row commit in ONE transaction per (partition, object), replacing
 * what earlier bytes of the object wrote; the `_processed` marker is written after, from the
 * same facts, and its failure never fails the load.
 *
 * Nothing is read twice for nothing: the same generation as the latest decision (or, on GCS,
 * the same MD5 in the listing) is skipped before any byte is downloaded; the same sha256 as the
 * object's latest load is skipped after. Restored bytes (A → B → A) load again: only the LATEST
 * load counts. The same bytes live under another date are a `duplicate_file` and hold no rows.
 * An unreadable object is `failed`: its rows leave bronze and it blocks the partition
 * (check files_failed). File-content problems never throw; every decision is one audit row, and
 * a retry of an attempt that already committed returns that decision instead of a new one.
 */
export async function loadBronzeFile(deps: ActivityDeps, input: LoadBronzeInput): Promise<LoadBronzeResult> {
  const started = Date.now();
  const contract = sourceByName(input.source);
  assertObjectKey(input.key);
  if (!input.key.startsWith(landingPrefix(input.date))) {
    throw ApplicationFailure.nonRetryable(`file ${input.key} is not in the landing folder of ${input.date}`, 'InvalidInput');
  }
  const { warehouse: wh, store } = deps;
  const { source: fmt, columns } = rawLoadSpec(contract, input.key);
  let stat: ObjectInfo;
  try {
    stat = await store.stat(input.key);
  } catch (err) {
    if (err instanceof ObjectNotFoundError) return vanished(deps, input, contract.name, started);
    throw err;
  }
  const state = await objectState(wh, input.date, input.key);
  const base = { source: contract.name, key: input.key, rowsRead: 0, rowsLoaded: 0, rowsQuarantined: 0, errorRate: 0, missingColumns: [], extraColumns: [] };
  const ms = () => Date.now() - started;

  // A retry of this run's attempt that committed (its completion was lost): report that decision.
  const run = decidingRun();
  const latest = state.latest;
  if (run.runId && latest && latest.runId === run.runId && latest.generation === stat.generation && isLoadDecision(latest.status))
    return fromAudit(input, latest, ms());

  const held = state.effective && HELD.includes(state.effective.status) ? state.effective : undefined;
  const skip = async (status: LoadStatus, message: string, checksum: string | null) => {
    await writeAudit(wh, {
      date: input.date,
      source: contract.name,
      key: input.key,
      generation: stat.generation,
      checksum,
      md5: stat.md5 ?? held?.md5,
      status,
      message,
      durationMs: ms(),
    });
    return log(deps, input, { ...base, status, message, durationMs: ms() });
  };
  if (held && latest?.generation === stat.generation)
    return skip('skipped_same_generation', `generation ${stat.generation} already ${held.status}`, held.checksum);
  if (held && stat.md5 && held.md5 === stat.md5)
    return skip('skipped_same_checksum', `same MD5 as the bytes ${held.status} before (new generation ${stat.generation}, not downloaded)`, held.checksum);

  const raw = `${wh.scratchSchema}.raw_${contract.name}_${compactDate(input.date)}_${createHash('sha1').update(input.key).digest('hex').slice(0, 10)}`;
  const vars = { raw, rejected: `${raw}_rejected` };
  const copy = await store.localCopy(input.key);
  try {
    const progress = { phase: 'reading', file: input.key };
    const [inspection, rawLoad] = await withHeartbeat(
      () =>
        Promise.all([
          inspectFile(copy.path, fmt.compression === 'gzip', { md5: stat.md5 !== undefined }),
          wh.loadRawFile(raw, { path: copy.path, ...fmt }, columns).catch((err: Error) => err),
        ]),
      () => progress,
    );
    const checksum = inspection.sha256;
    assertSameObject(input.key, stat, inspection.md5);
    const facts = { date: input.date, source: contract.name, key: input.key, generation: stat.generation, checksum, md5: inspection.md5 ?? null };
    if (held?.checksum === checksum) return skip('skipped_same_checksum', `same bytes as ${held.status} before (new generation ${stat.generation})`, checksum);

    const loaded = inspection.gzipError ? new Error(inspection.gzipError) : rawLoad;
    if (loaded instanceof Error) {
      const message = `unreadable ${fmt.format}${fmt.compression === 'gzip' ? '.gz' : ''} file: ${loaded.message.split('\n')[0]}`;
      await wh.transaction(async (tx) => {
        await clearObject(tx, contract.name, input);
        // An unreadable file is itself quarantined, so nothing disappears without a trace.
        await tx.exec(
          `insert into ops.quarantine (partition_date, source, source_key, line, reason, reasons, raw_record, quarantined_at) values (cast($d as date), $s, $k, null, $reason, $reason, null, cast($now as timestamp))`,
          { d: input.date, s: contract.name, k: input.key, reason: message, now: nowUtc() },
        );
        await writeAudit(tx, { ...facts, status: 'failed', message, durationMs: ms() });
      });
      return log(deps, input, { ...base, status: 'failed', message, durationMs: ms() });
    }
    const twin = loaded.rows > 0 ? await liveDuplicateOf(wh, input.date, checksum) : undefined;
    if (twin) {
      const message = `identical to ${twin.key} loaded for ${twin.date}`;
      await wh.transaction(async (tx) => {
        await clearObject(tx, contract.name, input);
        await writeAudit(tx, { ...facts, status: 'duplicate_file', rowsRead: loaded.rows, message, durationMs: ms() });
      });
      return log(deps, input, { ...base, status: 'duplicate_file', rowsRead: loaded.rows, message, durationMs: ms() });
    }

    progress.phase = 'validating';
    const { missingColumns, extraColumns } = fileColumnReport(contract, loaded);
    const split = splitSql(contract, loaded);
    const params = { partition_date: input.date, source_key: input.key };
    const rawReadMs = ms();
    await withHeartbeat(
      () => wh.exec(renderSql(split.findRejected, wh.dialect, vars)),
      () => progress,
    );
    const validateMs = ms() - rawReadMs;
    progress.phase = 'writing';
    const status: LoadStatus = state.effective?.status === 'loaded' || state.effective?.status === 'replaced' ? 'replaced' : 'loaded';
    const message = missingColumns.length || extraColumns.length ? describeColumns(missingColumns, extraColumns) : undefined;
    const result = await withHeartbeat(
      () =>
        wh.transaction(async (tx) => {
          await clearObject(tx, contract.name, input);
          await tx.exec(renderSql(split.toBronze, wh.dialect, vars), params);
          await tx.exec(renderSql(split.toQuarantine, wh.dialect, vars), { ...params, ...split.params });
          const [b] = await tx.query<{ n: number }>(
            `select count(*) as n from bronze.${contract.name} where _partition_date = cast($partition_date as date) and _source_key = $source_key`,
            params,
          );
          const [q] = await tx.query<{ n: number }>(
            `select count(*) as n from ops.quarantine where partition_date = cast($partition_date as date) and source = $source and source_key = $source_key`,
            { ...params, source: contract.name },
          );
          const r: LoadBronzeResult = {
            ...base,
            status,
            rowsRead: loaded.rows,
            rowsLoaded: Number(b.n),
            rowsQuarantined: Number(q.n),
            errorRate: loaded.rows ? Number(q.n) / loaded.rows : 0,
            missingColumns,
            extraColumns,
            message,
            durationMs: ms(),
          };
          await writeAudit(tx, { ...facts, ...r });
          return r;
        }),
      () => progress,
    );
    deps.logger.debug('bronze load timing', { partition: input.date, key: input.key, rawReadMs, validateMs, writeMs: ms() - rawReadMs - validateMs });
    await writeProcessedMarker(deps, { ...result, generation: stat.generation, checksum });
    return log(deps, input, result);
  } finally {
    for (const table of Object.values(vars)) await wh.exec(`drop table if exists ${table}`).catch(() => undefined);
    await copy.release();
  }
}

/**
 * The object was listed but is gone when its load starts (deleted meanwhile): it is no longer
 * part of the delivery, so whatever it held is retracted, as the next listing would.
 */
async function vanished(deps: ActivityDeps, input: LoadBronzeInput, source: string, started: number): Promise<LoadBronzeResult> {
  const message = `gone from the landing folder while the run was loading it`;
  const rows = await deps.warehouse.transaction(async (tx) => {
    const [n] = await tx.query<{ n: number }>(`select count(*) as n from bronze.${source} where _partition_date = cast($d as date) and _source_key = $k`, {
      d: input.date,
      k: input.key,
    });
    await clearObject(tx, source, input);
    await writeAudit(tx, { date: input.date, source, key: input.key, generation: null, checksum: null, status: 'retracted', rowsLoaded: Number(n.n), message });
    return Number(n.n);
  });
  return log(deps, input, {
    source,
    key: input.key,
    status: 'retracted',
    rowsRead: 0,
    rowsLoaded: 0,
    rowsQuarantined: 0,
    errorRate: 0,
    missingColumns: [],
    extraColumns: [],
    message: `${message} (${rows} rows removed)`,
    durationMs: Date.now() - started,
  });
}

/** Removes what earlier bytes of the object put in bronze and ops.quarantine (same transaction as what replaces them). */
export async function clearObject(tx: Session, source: string, input: { date: string; key: string }): Promise<void> {
  const p = { d: input.date, k: input.key };
  await tx.exec(`delete from bronze.${sourceByName(source).name} where _partition_date = cast($d as date) and _source_key = $k`, p);
  await tx.exec(`delete from ops.quarantine where partition_date = cast($d as date) and source = $s and source_key = $k`, { ...p, s: source });
}

function isLoadDecision(s: Decision): s is LoadStatus {
  return ['loaded', 'replaced', 'skipped_same_generation', 'skipped_same_checksum', 'duplicate_file', 'failed'].includes(s);
}

/**
 * The listing's MD5 is what a later run compares against; if the bytes read do not match it,
 * the object was rewritten between listing and download, and the load is retried (it then
 * reads one consistent generation).
 */
function assertSameObject(key: string, stat: ObjectInfo, md5: string | undefined): void {
  if (stat.md5 && md5 && stat.md5 !== md5)
    throw ApplicationFailure.retryable(`${key} changed while it was being read (MD5 differs from its listing)`, 'ObjectChanged');
}

function fromAudit(input: LoadBronzeInput, d: Decided, durationMs: number): LoadBronzeResult {
  return {
    source: input.source,
    key: input.key,
    status: d.status as LoadStatus,
    rowsRead: d.rowsRead,
    rowsLoaded: d.rowsLoaded,
    rowsQuarantined: d.rowsQuarantined,
    errorRate: d.errorRate,
    missingColumns: d.missingColumns,
    extraColumns: d.extraColumns,
    message: d.message ?? undefined,
    durationMs,
  };
}

function describeColumns(missing: string[], extra: string[]): string {
  return [missing.length ? `missing columns: ${missing.join(', ')}` : '', extra.length ? `extra columns ignored: ${extra.join(', ')}` : '']
    .filter(Boolean)
    .join('; ');
}

function log(deps: ActivityDeps, input: LoadBronzeInput, r: LoadBronzeResult): LoadBronzeResult {
  deps.logger.info('bronze load', { partition: input.date, ...r });
  return r;
}
