import type { Readable } from 'node:stream';

/** One stored object as listed by a store. */
export interface ObjectInfo {
  key: string;
  size: number;
  /** A value that changes whenever the object is rewritten (GCS generation, local inode+mtime+size). */
  generation: string;
  updatedAt: string;
  /**
   * MD5 of the content (base64), when the store keeps one (GCS, for non-composite objects): lets
   * a reader recognise identical bytes under a new generation without downloading them.
   */
  md5?: string;
}

/** An object found under a prefix whose name no method of the store can address. */
export interface UnaddressableObject {
  /** The name as stored (relative to the store's root or bucket prefix). */
  name: string;
  /** Why assertObjectKey refuses it. */
  reason: string;
}

/**
 * A flat key → bytes store: the landing area and the run artifacts (reports, charts, models,
 * MMM snapshots). Keys are relative, `/`-separated, and validated by `assertObjectKey`:
 * no absolute keys, no `..`, no backslashes or control characters.
 */
export interface ObjectStore {
  readonly kind: 'local' | 'gcs';
  put(key: string, body: Buffer | string): Promise<void>;
  /** Streams a (possibly large) body to `key`. */
  putStream(key: string, body: Readable): Promise<void>;
  get(key: string): Promise<Buffer>;
  getStream(key: string): Readable;
  exists(key: string): Promise<boolean>;
  /** Objects whose key starts with `prefix`, sorted by key (only names assertObjectKey accepts). */
  list(prefix: string): Promise<ObjectInfo[]>;
  /**
   * Objects under `prefix` whose names the store cannot address (control characters, `..`,
   * empty segments — written by other tools), so a reader can report them instead of never
   * seeing them. Sorted by name.
   */
  listUnaddressable(prefix: string): Promise<UnaddressableObject[]>;
  stat(key: string): Promise<ObjectInfo>;
  delete(key: string): Promise<void>;
  /** A URI a person or a container can use: file:///abs/path or gs://bucket/key. */
  uri(key: string): string;
  /**
   * A local file path holding the object's bytes, for readers that need a file (DuckDB).
   * The local store returns the file itself; remote stores download to a temp file and
   * `release` removes it.
   */
  localCopy(key: string): Promise<{ path: string; release: () => Promise<void> }>;
}

export class InvalidObjectKeyError extends Error {
  override name = 'InvalidObjectKeyError';
  constructor(key: string, why: string) {
    super(`invalid object key ${JSON.stringify(key.slice(0, 120))}: ${why}`);
  }
}

export class ObjectNotFoundError extends Error {
  override name = 'ObjectNotFoundError';
  constructor(key: string) {
    super(`object not found: ${key}`);
  }
}

/** Why a key is not safe to use under a store's root or bucket prefix, or undefined when it is. */
export function objectKeyProblem(key: string): string | undefined {
  if (typeof key !== 'string' || key.length === 0) return 'empty';
  if (key.length > 1024) return 'longer than 1024 characters';
  if (key.startsWith('/') || /^[a-zA-Z]:/.test(key)) return 'absolute keys are not allowed';
  if (key.includes('\\')) return 'backslashes are not allowed';
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(key)) return 'control characters are not allowed';
  const segments = key.split('/');
  if (segments.some((s) => s === '..' || s === '.')) return '"." and ".." segments are not allowed';
  if (segments.slice(0, -1).some((s) => s === '')) return 'empty path segments are not allowed';
  return undefined;
}

/** Returns the key unchanged when it is safe to use under a store's root or bucket prefix. */
export function assertObjectKey(key: string): string {
  const problem = objectKeyProblem(key);
  if (problem) throw new InvalidObjectKeyError(String(key), problem);
  return key;
}

/** Same rules for prefixes, which may be empty and may end with `/`. */
export function assertObjectPrefix(prefix: string): string {
  if (prefix === '') return prefix;
  assertObjectKey(prefix.endsWith('/') ? prefix + 'x' : prefix);
  return prefix;
}
