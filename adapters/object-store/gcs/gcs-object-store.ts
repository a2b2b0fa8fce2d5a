import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { PassThrough, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { IdempotencyStrategy, Storage, type Bucket, type File, type FileMetadata } from '@google-cloud/storage';
import type { ObjectInfo, ObjectStore, UnaddressableObject } from '../object-store';
import { ObjectNotFoundError, assertObjectKey, assertObjectPrefix, objectKeyProblem } from '../object-store';

export interface GcsObjectStoreOptions {
  bucket: string;
  /** Every key lives under this prefix ("" = the whole bucket); a trailing "/" is added. */
  prefix?: string;
  /** An emulator or private endpoint, e.g. http://127.0.0.1:4443. Unset = storage.googleapis.com. */
  apiEndpoint?: string;
  projectId?: string;
  /** Resumable sessions for putStream (default true); turn off for emulators that lack them. */
  resumableUploads?: boolean;
}

/**
 * The object store on a Google Cloud Storage bucket. Keys are validated by assertObjectKey and
 * joined under the configured prefix, so a store never reads, lists or deletes anything outside
 * it. `generation` is the GCS object generation, which changes on every rewrite.
 * Credentials come from Application Default Credentials; with a custom apiEndpoint the client
 * sends none (that is how emulators are reached).
 */
export class GcsObjectStore implements ObjectStore {
  readonly kind = 'gcs' as const;
  readonly bucketName: string;
  readonly prefix: string;
  private readonly bucket: Bucket;
  private readonly resumable: boolean;

  constructor(opts: GcsObjectStoreOptions) {
    this.bucketName = opts.bucket;
    this.prefix = normalizePrefix(opts.prefix ?? '');
    this.resumable = opts.resumableUploads ?? true;
    const storage = new Storage({
      apiEndpoint: opts.apiEndpoint,
      projectId: opts.projectId,
      // Every write replaces a whole object under a fixed key, so retrying one is harmless.
      retryOptions: { autoRetry: true, maxRetries: 3, idempotencyStrategy: IdempotencyStrategy.RetryAlways },
    });
    this.bucket = storage.bucket(opts.bucket);
  }

  async put(key: string, body: Buffer | string): Promise<void> {
    await this.file(key).save(body, { resumable: false });
  }

  async putStream(key: string, body: Readable): Promise<void> {
    await pipeline(body, this.file(key).createWriteStream({ resumable: this.resumable }));
  }

  async get(key: string): Promise<Buffer> {
    const file = this.file(key);
    const [bytes] = await file.download().catch(rethrow(key));
    return bytes;
  }

  getStream(key: string): Readable {
    const source = this.file(key).createReadStream();
    const out = new PassThrough();
    // Errors are re-emitted on the returned stream so a missing key reads as ObjectNotFoundError.
    source.on('error', (err) => out.destroy(toStoreError(err, key)));
    out.on('close', () => source.destroy()); // the reader stopped early: end the download
    return source.pipe(out);
  }

  async exists(key: string): Promise<boolean> {
    const [found] = await this.file(key).exists();
    return found;
  }

  async list(prefix: string): Promise<ObjectInfo[]> {
    assertObjectPrefix(prefix);
    const [files] = await this.bucket.getFiles({ prefix: this.prefix + prefix, autoPaginate: true });
    return (
      files
        .map((f) => ({ key: f.name.slice(this.prefix.length), metadata: f.metadata }))
        // Objects written by other tools may have names this store cannot address (e.g. "a//b");
        // listing them would only hand callers keys that every other method rejects.
        .filter((f) => isAddressable(f.key))
        .map((f) => toInfo(f.key, f.metadata))
        .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
    );
  }

  async listUnaddressable(prefix: string): Promise<UnaddressableObject[]> {
    assertObjectPrefix(prefix);
    const [files] = await this.bucket.getFiles({ prefix: this.prefix + prefix, autoPaginate: true });
    return files
      .map((f) => f.name.slice(this.prefix.length))
      .flatMap((name) => {
        const reason = objectKeyProblem(name);
        return reason ? [{ name, reason }] : [];
      })
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  async stat(key: string): Promise<ObjectInfo> {
    const [metadata] = await this.file(key).getMetadata().catch(rethrow(key));
    return toInfo(key, metadata);
  }

  async delete(key: string): Promise<void> {
    await this.file(key).delete({ ignoreNotFound: true });
  }

  uri(key: string): string {
    return `gs://${this.bucketName}/${this.objectName(key)}`;
  }

  async localCopy(key: string): Promise<{ path: string; release: () => Promise<void> }> {
    const file = this.file(key);
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'dag-gcs-'));
    const release = () => fs.rm(dir, { recursive: true, force: true });
    // Keep the key's file name: readers such as DuckDB pick the format from the extension.
    const dest = path.join(dir, path.posix.basename(key));
    try {
      await file.download({ destination: dest });
    } catch (err) {
      await release();
      throw toStoreError(err, key);
    }
    return { path: dest, release };
  }

  /** The full object name in the bucket: prefix + validated key. */
  objectName(key: string): string {
    return this.prefix + assertObjectKey(key);
  }

  private file(key: string): File {
    return this.bucket.file(this.objectName(key));
  }
}

function normalizePrefix(prefix: string): string {
  assertObjectPrefix(prefix);
  return prefix === '' || prefix.endsWith('/') ? prefix : `${prefix}/`;
}

function isAddressable(key: string): boolean {
  return objectKeyProblem(key) === undefined;
}

function toInfo(key: string, m: FileMetadata): ObjectInfo {
  return {
    key,
    size: Number(m.size ?? 0),
    generation: String(m.generation),
    updatedAt: new Date(m.updated ?? 0).toISOString(),
    // Composite objects have no MD5 (only CRC32C, too weak to call two files identical).
    ...(m.md5Hash ? { md5: String(m.md5Hash) } : {}),
  };
}

function toStoreError(err: unknown, key: string): Error {
  return (err as { code?: unknown })?.code === 404 ? new ObjectNotFoundError(key) : (err as Error);
}

function rethrow(key: string): (err: unknown) => never {
  return (err) => {
    throw toStoreError(err, key);
  };
}
