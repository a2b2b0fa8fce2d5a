import { createHash, randomUUID } from 'node:crypto';
import { ApplicationFailure } from '@temporalio/common';
import { sourceByName } from '../../contracts/sources';
import { fileColumnReport, rawLoadSpec, splitSql } from '../../contracts/validation-sql';
import { assertObjectKey } from '../../adapters/object-store/object-store';
import type { ActivityDeps } from '../../lib/deps';
import { compactDate } from '../../lib/dates';
import { withHeartbeat, activityContext } from '../../lib/heartbeat';
import { renderSql } from '../../lib/sql/render';
import { inspectFile } from './checksum';
import { landingPrefix } from './landing';

export interface LoadBronzeInput {
  date: string;
  source: string;
  key: string;
}

export type LoadStatus = 'loaded' | 'skipped_same_generation' | 'skipped_same_checksum' | 'duplicate_file' | 'failed';

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

/**
 * Loads one landing file into bronze: raw read at warehouse speed → the lines that break the
 * contract found in one pass → split into bronze and ops.quarantine → audit row. The split is
 * one transaction per (partition, file) and replaces what an earlier run of the same file wrote.
 * A file whose checksum was already loaded is skipped. File-content problems never throw: they
 * end as quarantine rows or a `failed` result.
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
  const raw = `${wh.scratchSchema}.raw_${contract.name}_${compactDate(input.date)}_${createHash('sha1').update(input.key).digest('hex').slice(0, 10)}`;
  const vars = { raw, rejected: `${raw}_rejected` };
  const base = {
    source: contract.name,
    key: input.key,
    rowsRead: 0,
    rowsLoaded: 0,
    rowsQuarantined: 0,
    errorRate: 0,
    missingColumns: [] as string[],
    extraColumns: [] as string[],
  };
  // An object generation already loaded is skipped before any byte is downloaded (GCS landing
  // areas are polled every night; a rewritten object gets a new generation and is loaded again).
  const stat = await store.stat(input.key);
  const done = await wh.query<{ n: number }>(
    `select count(*) as n from ops.load_audit where source_key = $k and source_generation = $g and partition_date = cast($d as date) and status = 'loaded'`,
    { k: input.key, g: stat.generation, d: input.date },
  );
  if (Number(done[0].n) > 0) {
    return { ...base, status: 'skipped_same_generation', message: `generation ${stat.generation} already loaded`, durationMs: Date.now() - started };
  }
  const copy = await store.localCopy(input.key);
  try {
    const progress = { phase: 'reading', file: input.key };
    const [inspection, rawLoad] = await withHeartbeat(
      () =>
        Promise.all([inspectFile(copy.path, fmt.compression === 'gzip'), wh.loadRawFile(raw, { path: copy.path, ...fmt }, columns).catch((err: Error) => err)]),
      () => progress,
    );
    const checksum = inspection.sha256;
    const loaded = inspection.gzipError ? new Error(inspection.gzipError) : rawLoad;
    const seen = await wh.query<{ partition_date: string; source_key: string }>(
      `select cast(partition_date as varchar) as partition_date, source_key from ops.load_audit where checksum = $checksum and status = 'loaded' order by loaded_at desc limit 1`,
      { checksum },
    );
    const audit = { checksum, generation: stat.generation };
    if (seen.length && seen[0].source_key === input.key && seen[0].partition_date === input.date) {
      return finish(deps, input, audit, {
        ...base,
        status: 'skipped_same_checksum',
        message: 'same checksum already loaded for this partition',
        durationMs: Date.now() - started,
      });
    }
    if (seen.length) {
      return finish(deps, input, audit, {
        ...base,
        status: 'duplicate_file',
        message: `identical to ${seen[0].source_key} loaded for ${seen[0].partition_date}`,
        durationMs: Date.now() - started,
      });
    }
    if (loaded instanceof Error) {
      const message = `unreadable ${fmt.format}${fmt.compression === 'gzip' ? '.gz' : ''} file: ${loaded.message.split('\n')[0]}`;
      return finish(deps, input, audit, { ...base, status: 'failed', message, durationMs: Date.now() - started }, message);
    }
    progress.phase = 'validating';
    const { missingColumns, extraColumns } = fileColumnReport(contract, loaded);
    const split = splitSql(contract, loaded);
    const params = { partition_date: input.date, source_key: input.key };
    const rawReadMs = Date.now() - started;
    await withHeartbeat(
      () => wh.exec(renderSql(split.findRejected, wh.dialect, vars)),
      () => progress,
    );
    const validateMs = Date.now() - started - rawReadMs;
    progress.phase = 'writing';
    const counts = await withHeartbeat(
      () =>
        wh.transaction(async (tx) => {
          await tx.exec(`delete from bronze.${contract.name} where _partition_date = cast($partition_date as date) and _source_key = $source_key`, params);
          await tx.exec(`delete from ops.quarantine where partition_date = cast($partition_date as date) and source = $source and source_key = $source_key`, {
            ...params,
            source: contract.name,
          });
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
          return { loaded: Number(b.n), quarantined: Number(q.n) };
        }),
      () => progress,
    );
    deps.logger.debug('bronze load timing', {
      partition: input.date,
      key: input.key,
      rawReadMs,
      validateMs,
      writeMs: Date.now() - started - rawReadMs - validateMs,
    });
    const rowsRead = loaded.rows;
    await store.put(
      processedMarkerKey(input.key),
      JSON.stringify({
        key: input.key,
        generation: stat.generation,
        checksum,
        rowsRead,
        rowsLoaded: counts.loaded,
        rowsQuarantined: counts.quarantined,
        loadedAt: new Date().toISOString(),
      }),
    );
    return finish(deps, input, audit, {
      ...base,
      status: 'loaded',
      rowsRead,
      rowsLoaded: counts.loaded,
      rowsQuarantined: counts.quarantined,
      errorRate: rowsRead ? counts.quarantined / rowsRead : 0,
      missingColumns,
      extraColumns,
      message: missingColumns.length || extraColumns.length ? describeColumns(missingColumns, extraColumns) : undefined,
      durationMs: Date.now() - started,
    });
  } finally {
    for (const table of Object.values(vars)) await wh.exec(`drop table if exists ${table}`).catch(() => undefined);
    await copy.release();
  }
}

/** `landing/<date>/_processed/<name>.json`: marks a landing object as loaded, for people and tools browsing the bucket. */
export function processedMarkerKey(key: string): string {
  const slash = key.lastIndexOf('/');
  return `${key.slice(0, slash)}/_processed/${key.slice(slash + 1)}.json`;
}

function describeColumns(missing: string[], extra: string[]): string {
  return [missing.length ? `missing columns: ${missing.join(', ')}` : '', extra.length ? `extra columns ignored: ${extra.join(', ')}` : '']
    .filter(Boolean)
    .join('; ');
}

async function finish(
  deps: ActivityDeps,
  input: LoadBronzeInput,
  audit: { checksum: string; generation: string },
  r: LoadBronzeResult,
  fileError?: string,
): Promise<LoadBronzeResult> {
  const { warehouse: wh } = deps;
  const workflowId = activityContext()?.info.workflowExecution?.workflowId ?? null;
  await wh.transaction(async (tx) => {
    if (fileError) {
      // An unreadable file is itself quarantined, so nothing disappears without a trace.
      await tx.exec(`delete from ops.quarantine where partition_date = cast($d as date) and source = $s and source_key = $k`, {
        d: input.date,
        s: r.source,
        k: r.key,
      });
      await tx.exec(
        `insert into ops.quarantine (partition_date, source, source_key, line, reason, reasons, raw_record, quarantined_at) values (cast($d as date), $s, $k, null, $reason, $reason, null, cast($now as timestamp))`,
        { d: input.date, s: r.source, k: r.key, reason: fileError, now: nowUtc() },
      );
    }
    await tx.exec(
      `insert into ops.load_audit values ($id, cast($d as date), $s, $k, $gen, $checksum, $status, $read, $loaded, $quarantined, $rate, $missing, $extra, $message, $ms, $wf, cast($now as timestamp))`,
      {
        id: randomUUID(),
        d: input.date,
        s: r.source,
        k: r.key,
        gen: audit.generation,
        checksum: audit.checksum,
        status: r.status,
        read: r.rowsRead,
        loaded: r.rowsLoaded,
        quarantined: r.rowsQuarantined,
        rate: r.errorRate,
        missing: r.missingColumns.join(',') || null,
        extra: r.extraColumns.join(',') || null,
        message: r.message ?? null,
        ms: r.durationMs,
        wf: workflowId,
        now: nowUtc(),
      },
    );
  });
  deps.logger.info('bronze load', { partition: input.date, ...r });
  return r;
}

/** UTC wall time as a timestamp literal every warehouse parses. */
export function nowUtc(): string {
  return new Date().toISOString().replace('T', ' ').replace('Z', '');
}
