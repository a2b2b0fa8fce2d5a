import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Storage } from '@google-cloud/storage';
import { loadConfig, type Env } from '../../config/config';
import { createObjectStore, type ObjectStore } from '../../adapters/object-store';
import { startFakeGcs } from '../support/fake-gcs';

/**
 * One running backend for the contract suite. `store` is rooted at "tenant-a"; `sibling` is a
 * second store rooted at "tenant-ab" next to it, so a prefix compared without its "/" would leak.
 * Both are built through loadConfig + createObjectStore, the path the worker takes.
 */
export interface StoreFixture {
  store: ObjectStore;
  sibling: ObjectStore;
  /** The URI the store must give for a key. */
  expectedUri(key: string): string;
  stop(): Promise<void>;
}

export const STORE_KINDS = ['local', 'gcs'] as const;
export type StoreKind = (typeof STORE_KINDS)[number];

/** Backends named by DAG_TEST_OBJECT_STORES (comma-separated; default all). */
export function selectedStoreKinds(env: Env = process.env): StoreKind[] {
  const wanted = (env.DAG_TEST_OBJECT_STORES ?? STORE_KINDS.join(','))
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const unknown = wanted.filter((w) => !(STORE_KINDS as readonly string[]).includes(w));
  if (unknown.length) throw new Error(`DAG_TEST_OBJECT_STORES: unknown store(s) ${unknown.join(', ')}; known: ${STORE_KINDS.join(', ')}`);
  return wanted as StoreKind[];
}

export function startStore(kind: StoreKind): Promise<StoreFixture> {
  return kind === 'local' ? startLocal() : startGcs();
}

async function startLocal(): Promise<StoreFixture> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'dag-objects-'));
  const at = (root: string) => createObjectStore(loadConfig({ DAG_DATA_DIR: dir, DAG_OBJECT_ROOT: root }, dir));
  return {
    store: at('tenant-a'),
    sibling: at('tenant-ab'),
    expectedUri: (key) => pathToFileURL(path.join(dir, 'tenant-a', key)).href,
    stop: () => fs.rm(dir, { recursive: true, force: true }),
  };
}

async function startGcs(): Promise<StoreFixture> {
  const gcs = await startFakeGcs();
  const bucket = 'dag-contract';
  try {
    await new Storage({ apiEndpoint: gcs.endpoint, projectId: 'test' }).createBucket(bucket);
  } catch (err) {
    await gcs.stop();
    throw err;
  }
  const env = { DAG_OBJECT_STORE: 'gcs', DAG_GCS_BUCKET: bucket, DAG_GCS_ENDPOINT: gcs.endpoint, GOOGLE_CLOUD_PROJECT: 'test' };
  const at = (prefix: string) => createObjectStore(loadConfig({ ...env, DAG_GCS_PREFIX: prefix }, os.tmpdir()));
  return {
    store: at('tenant-a'),
    sibling: at('tenant-ab'),
    expectedUri: (key) => `gs://${bucket}/tenant-a/${key}`,
    stop: gcs.stop,
  };
}
