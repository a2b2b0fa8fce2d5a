import type { ObjectStore } from '../../adapters/object-store/object-store';
import { lastProgressLine } from '../../adapters/launcher/local/progress-file';

/**
 * The runner's latest progress (0..1) from <output>/progress.ndjson in the object store, for
 * launchers whose status cannot read it (Cloud Run / Docker with gs:// outputs). Undefined
 * until the runner wrote a line.
 */
export async function lastProgress(store: ObjectStore, outputPrefix: string): Promise<number | undefined> {
  const key = `${outputPrefix}progress.ndjson`;
  let text: string;
  try {
    if (!(await store.exists(key))) return undefined;
    text = (await store.get(key)).toString('utf8');
  } catch {
    return undefined; // progress is informational: never fail the follower over it
  }
  return lastProgressLine(text);
}
