import { createHash } from 'node:crypto';
import type { ActivityDeps } from '../../lib/deps';

/** Longest object name (in bytes) whose marker keeps the name; file systems allow 255 per name. */
const MAX_NAME_BYTES = 200;

/**
 * `landing/<date>/_processed/<name>.json`: marks a landing object as loaded, for people and tools
 * browsing the bucket. A name too long to carry `.json` on every file system gets a marker named
 * by its hash instead (the JSON names the object).
 */
export function processedMarkerKey(key: string): string {
  const slash = key.lastIndexOf('/');
  const name = key.slice(slash + 1);
  const file = Buffer.byteLength(name) <= MAX_NAME_BYTES ? name : `sha256-${createHash('sha256').update(name).digest('hex')}`;
  return `${key.slice(0, slash)}/_processed/${file}.json`;
}

export interface MarkerFacts {
  key: string;
  generation: string;
  checksum: string;
  status: string;
  rowsRead: number;
  rowsLoaded: number;
  rowsQuarantined: number;
}

/**
 * Writes the marker of a committed load, from the facts its audit row recorded. The audit row
 * is the record; the marker is a convenience, so failing to write it is logged, never fatal:
 * the rows and their audit row are already committed together.
 */
export async function writeProcessedMarker(deps: ActivityDeps, facts: MarkerFacts): Promise<void> {
  try {
    await deps.store.put(processedMarkerKey(facts.key), JSON.stringify({ ...facts, loadedAt: new Date().toISOString() }));
  } catch (err) {
    deps.logger.warn('processed marker not written (the load and its audit row are committed)', {
      key: facts.key,
      error: String((err as Error)?.message ?? err),
    });
  }
}
