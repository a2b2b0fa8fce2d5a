import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as fsp from 'node:fs/promises';
import * as path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { PassThrough, type Readable } from 'node:stream';
import { pathToFileURL } from 'node:url';
import type { ObjectInfo, ObjectStore, UnaddressableObject } from '../object-store';
import { InvalidObjectKeyError, ObjectNotFoundError, assertObjectKey, assertObjectPrefix, objectKeyProblem } from '../object-store';

/**
 * The embedded object store: a folder (default `.data/objects`). Writes go to a temp file and
 * are renamed into place, so a reader never sees half an object and a crash leaves no torso.
 */
export class LocalObjectStore implements ObjectStore {
  readonly kind = 'local' as const;
  readonly root: string;

  constructor(root: string) {
    this.root = path.resolve(root);
    fs.mkdirSync(this.root, { recursive: true });
  }

  async put(key: string, body: Buffer | string): Promise<void> {
    const file = this.pathOf(key);
    await fsp.mkdir(path.dirname(file), { recursive: true });
    const tmp = tempNameFor(file);
    await fsp.writeFile(tmp, body);
    await fsp.rename(tmp, file);
  }

  async putStream(key: string, body: Readable): Promise<void> {
    const file = this.pathOf(key);
    await fsp.mkdir(path.dirname(file), { recursive: true });
    const tmp = tempNameFor(file);
    try {
      await pipeline(body, fs.createWriteStream(tmp));
      await fsp.rename(tmp, file);
    } catch (err) {
      await fsp.rm(tmp, { force: true });
      throw err;
    }
  }

  async get(key: string): Promise<Buffer> {
    try {
      return await fsp.readFile(this.pathOf(key));
    } catch (err) {
      throw notFound(err, key);
    }
  }

  getStream(key: string): Readable {
    const source = fs.createReadStream(this.pathOf(key));
    const out = new PassThrough();
    // Re-emit errors on the returned stream so a missing key reads as ObjectNotFoundError, as on GCS.
    source.on('error', (err) => out.destroy(notFound(err, key)));
    out.on('close', () => source.destroy()); // the reader stopped early: release the file handle
    return source.pipe(out);
  }

  async exists(key: string): Promise<boolean> {
    const file = this.pathOf(key); // an invalid key is an error, not "absent"
    try {
      return (await fsp.stat(file)).isFile();
    } catch {
      return false;
    }
  }

  async list(prefix: string): Promise<ObjectInfo[]> {
    assertObjectPrefix(prefix);
    // Walk only the deepest folder the prefix names, then filter by the full prefix.
    const dirPart = prefix.includes('/') ? prefix.slice(0, prefix.lastIndexOf('/')) : '';
    const start = path.join(this.root, dirPart);
    const out: ObjectInfo[] = [];
    await this.walk(start, out);
    return out.filter((o) => o.key.startsWith(prefix) && !objectKeyProblem(o.key)).sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }

  async listUnaddressable(prefix: string): Promise<UnaddressableObject[]> {
    assertObjectPrefix(prefix);
    const out: ObjectInfo[] = [];
    await this.walk(path.join(this.root, prefix.includes('/') ? prefix.slice(0, prefix.lastIndexOf('/')) : ''), out);
    return out
      .filter((o) => o.key.startsWith(prefix))
      .flatMap((o) => {
        const reason = objectKeyProblem(o.key);
        return reason ? [{ name: o.key, reason }] : [];
      })
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  async stat(key: string): Promise<ObjectInfo> {
    try {
      const st = await fsp.stat(this.pathOf(key));
      if (!st.isFile()) throw new ObjectNotFoundError(key);
      return info(key, st);
    } catch (err) {
      throw notFound(err, key);
    }
  }

  async delete(key: string): Promise<void> {
    await fsp.rm(this.pathOf(key), { force: true });
  }

  uri(key: string): string {
    return pathToFileURL(this.pathOf(key)).href;
  }

  async localCopy(key: string): Promise<{ path: string; release: () => Promise<void> }> {
    const file = this.pathOf(key);
    if (!(await this.exists(key))) throw new ObjectNotFoundError(key);
    return { path: file, release: async () => undefined };
  }

  /** Absolute path of a key; refuses anything that would resolve outside the root. */
  pathOf(key: string): string {
    assertObjectKey(key);
    const file = path.resolve(this.root, key);
    if (!file.startsWith(this.root + path.sep)) throw new InvalidObjectKeyError(key, 'resolves outside the store root');
    return file;
  }

  private async walk(dir: string, out: ObjectInfo[]): Promise<void> {
    let entries: fs.Dirent[];
    try {
      entries = await fsp.readdir(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const full = path.join(dir, e.name);
      if (e.isDirectory()) await this.walk(full, out);
      else if (e.isFile() && !e.name.includes('.tmp-')) {
        const key = path.relative(this.root, full).split(path.sep).join('/');
        out.push(info(key, await fsp.stat(full)));
      }
    }
  }
}

function info(key: string, st: fs.Stats): ObjectInfo {
  // Every write renames a fresh temp file into place, so the inode changes on each rewrite even
  // where the file system's clock is too coarse to tell two quick writes apart by mtime.
  return { key, size: st.size, generation: `${st.ino}-${Math.trunc(st.mtimeMs * 1000)}-${st.size}`, updatedAt: st.mtime.toISOString() };
}

// Unique per write, so concurrent writers of one key never share (and clobber) a temp file.
// Named apart from the key, so a name that is legal (≤ 255 bytes) never makes an illegal temp name.
function tempNameFor(file: string): string {
  return path.join(path.dirname(file), `.tmp-${process.pid}-${randomUUID()}`);
}

function notFound(err: unknown, key: string): Error {
  if ((err as NodeJS.ErrnoException)?.code === 'ENOENT' || err instanceof ObjectNotFoundError) return new ObjectNotFoundError(key);
  return err as Error;
}
