import type { Config } from '../../config/config';
import { GcsObjectStore } from './gcs/gcs-object-store';
import { LocalObjectStore } from './local/local-object-store';
import type { ObjectStore } from './object-store';

export * from './object-store';
export { GcsObjectStore, type GcsObjectStoreOptions } from './gcs/gcs-object-store';
export { LocalObjectStore } from './local/local-object-store';

/** The object store the configuration names: a local folder (default) or a GCS bucket. */
export function createObjectStore(config: Pick<Config, 'objectStore'>): ObjectStore {
  const os = config.objectStore;
  switch (os.kind) {
    case 'local':
      return new LocalObjectStore(os.root);
    case 'gcs':
      return new GcsObjectStore({ bucket: os.bucket, prefix: os.prefix, apiEndpoint: os.apiEndpoint, projectId: os.projectId });
  }
}
