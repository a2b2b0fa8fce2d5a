import type { ActivityDeps } from '../../lib/deps';
import { activeContracts } from '../../contracts/sources';
import { landingPrefix } from '../ingest/landing';
import { nowUtc } from '../ingest/load-bronze';

/**
 * Records the partition's landing files that match no source, with why, replacing what an
 * earlier listing of the date recorded (so it is idempotent and a fixed landing folder clears
 * the warning). Read by the `files_unmatched` check. Keys are bound values, never SQL.
 */
export async function recordUnmatchedFiles(deps: ActivityDeps, date: string, keys: readonly string[]): Promise<void> {
  const prefix = landingPrefix(date);
  const rows = keys.map((key) => {
    const m = activeContracts().matchFile(key.startsWith(prefix) ? key.slice(prefix.length) : key);
    return { key, reason: m.source ? 'not loaded' : m.reason };
  });
  await deps.warehouse.transaction(async (tx) => {
    await tx.exec(`delete from ops.landing_unmatched where partition_date = cast($d as date)`, { d: date });
    for (const r of rows)
      await tx.exec(`insert into ops.landing_unmatched values (cast($d as date), $key, $reason, cast($now as timestamp))`, {
        d: date,
        key: r.key,
        reason: r.reason,
        now: nowUtc(),
      });
  });
}
