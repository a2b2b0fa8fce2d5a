import type { ObjectStore } from '../../adapters/object-store/object-store';
import { sourceForFile } from '../../contracts/sources';

export interface LandingFile {
  source: string;
  key: string;
  generation: string;
  size: number;
  /** MD5 (base64) from the store's listing, where it keeps one (GCS). */
  md5?: string;
}

export interface LandingListing {
  files: LandingFile[];
  /** Objects in the partition folder that match no source (reported, never loaded). */
  ignored: string[];
  /** Objects whose names the store cannot address (a newline, `..`): reported, never loaded. */
  invalid?: { key: string; reason: string }[];
}

export const landingPrefix = (date: string) => `landing/${date}/`;

/**
 * A partition's landing folder holds `<source>.<ext>` or `<source>-<part>.<ext>` files
 * (csv, ndjson/jsonl, parquet; .gz allowed). Names starting with `_` are metadata, and
 * sub-folders are not part of the partition.
 */
export async function listLandingFiles(store: ObjectStore, date: string): Promise<LandingListing> {
  const prefix = landingPrefix(date);
  const files: LandingFile[] = [];
  const ignored: string[] = [];
  for (const obj of await store.list(prefix)) {
    const name = obj.key.slice(prefix.length);
    if (name.startsWith('_') || name.includes('/')) continue;
    const source = sourceForFile(name);
    if (!source) {
      ignored.push(obj.key);
      continue;
    }
    files.push({ source: source.name, key: obj.key, generation: obj.generation, size: obj.size, ...(obj.md5 ? { md5: obj.md5 } : {}) });
  }
  const invalid = (await store.listUnaddressable(prefix))
    .filter((o) => !/^_|\//.test(o.name.slice(prefix.length)))
    .map((o) => ({ key: o.name, reason: o.reason }));
  return { files, ignored, invalid };
}
