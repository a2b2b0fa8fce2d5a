import { patched, proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../../activities';
import { LONG_SQL, SHORT } from './activity-options';
import { fmt } from './input';

const { loadBronzeFile } = proxyActivities<Activities>(LONG_SQL);
const { listLandingFiles, reconcileLanding, describeBronzePartition } = proxyActivities<Activities>(SHORT);

export interface LoadSummary {
  source: string;
  key: string;
  status: string;
  rowsLoaded: number;
  rowsQuarantined: number;
  message?: string;
}

export interface BronzeStage {
  /** What the partition holds after the loads (from the warehouse), and how long the stage took. */
  bronze: { rows: number; quarantined: number; files: number; durationMs: number; bySource?: Record<string, { rows: number; quarantined: number }> };
  loads: LoadSummary[];
  ignoredFiles: string[];
  /** Objects of the delivery that could not be read: they block publication (check files_failed). */
  failedFiles: { key: string; reason: string }[];
  /** Objects withdrawn from the landing folder, whose rows left bronze in this run. */
  retracted: { key: string; rows: number }[];
  /** The summary's bronze sentences. */
  lines: string[];
}

/**
 * The bronze stage of a partition: make bronze equal the partition's current delivery
 * (reconcileLanding: withdrawn objects retracted, archived folders kept), load every listed
 * object, then read back what the partition holds — the summary reports that, never what the
 * last attempt of each load happened to do (a retried load after a crash reports a skip).
 * Runs started before this stage existed replay the old one (patch `bronze-current-delivery`).
 */
export async function loadBronze(date: string, retract?: 'all' | string[]): Promise<BronzeStage> {
  const started = Date.now();
  const load = (f: { source: string; key: string }) =>
    loadBronzeFile.executeWithOptions({ ...LONG_SQL, summary: `bronze ${f.source} ← ${f.key}` }, [{ date, source: f.source, key: f.key }]);
  const summarise = (l: Awaited<ReturnType<typeof load>>): LoadSummary => ({
    source: l.source,
    key: l.key,
    status: l.status,
    rowsLoaded: l.rowsLoaded,
    rowsQuarantined: l.rowsQuarantined,
    message: l.message,
  });

  if (!patched('bronze-current-delivery')) {
    const listing = await listLandingFiles.executeWithOptions({ ...SHORT, summary: `list landing/${date}/` }, [{ date }]);
    const loads = await Promise.all(listing.files.map(load));
    const bronze = {
      rows: loads.reduce((s, l) => s + l.rowsLoaded, 0),
      quarantined: loads.reduce((s, l) => s + l.rowsQuarantined, 0),
      files: loads.length,
      durationMs: Date.now() - started,
    };
    return {
      bronze,
      loads: loads.map(summarise),
      ignoredFiles: listing.ignored,
      failedFiles: [],
      retracted: [],
      lines: [
        `bronze: ${fmt(bronze.rows)} rows, ${fmt(bronze.quarantined)} quarantined from ${loads.length} files`,
        ...(listing.ignored.length ? [unmatchedWarning(listing.ignored)] : []),
      ],
    };
  }

  const plan = await reconcileLanding.executeWithOptions({ ...SHORT, summary: `list landing/${date}/ and decide each object (load, skip, retract)` }, [
    { date, ...(retract ? { retract } : {}) },
  ]);
  const loads = await Promise.all(plan.files.map(load));
  const held = await describeBronzePartition.executeWithOptions({ ...SHORT, summary: `count what bronze holds for ${date}` }, [{ date }]);
  const lines = [`bronze: ${fmt(held.rows)} rows, ${fmt(held.quarantined)} quarantined from ${held.objects} files`];
  const replaced = loads.filter((l) => l.status === 'replaced').length;
  if (replaced) lines.push(`${replaced} ${replaced === 1 ? 'object' : 'objects'} replaced by new bytes`);
  if (plan.retracted.length)
    lines.push(`retracted (withdrawn from landing/${date}/): ${plan.retracted.map((r) => `${r.key} (${fmt(r.rows)} rows)`).join(', ')}`);
  if (plan.kept) lines.push(plan.kept.message);
  if (held.failed.length)
    lines.push(
      `${held.failed.length} ${held.failed.length === 1 ? 'file' : 'files'} FAILED to load: ${held.failed.map((f) => `${f.key} (${f.reason})`).join('; ')}`,
    );
  if (plan.ignored.length) lines.push(unmatchedWarning(plan.ignored));
  if (plan.invalid.length) lines.push(`ignored (a name the store cannot address): ${plan.invalid.map((i) => JSON.stringify(i.key)).join(', ')}`);
  const ignored = [...plan.ignored, ...plan.invalid.map((i) => i.key)];
  return {
    bronze: { rows: held.rows, quarantined: held.quarantined, files: held.objects, durationMs: Date.now() - started, bySource: held.bySource },
    loads: loads.map(summarise),
    ignoredFiles: ignored,
    failedFiles: held.failed,
    retracted: plan.retracted,
    lines,
  };
}

/** "warning: 2 files match no source: landing/…/Events.csv, …" (also printed by `dag status`). */
export function unmatchedWarning(keys: readonly string[]): string {
  const shown = [...keys].sort();
  const list = shown.length > 10 ? `${shown.slice(0, 10).join(', ')}, … (${shown.length - 10} more)` : shown.join(', ');
  return `warning: ${keys.length} ${keys.length === 1 ? 'file matches' : 'files match'} no source: ${list}`;
}
