import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as zlib from 'node:zlib';

export interface FileInspection {
  sha256: string;
  /** MD5 (base64, as GCS lists it), when asked for. */
  md5?: string;
  /** Why a .gz file is not a complete gzip stream (DuckDB reads a truncated one silently). */
  gzipError?: string;
}

/** sha256 of a file (and its MD5 when asked), and for gzip files a full decompression check, in one streamed pass. */
export async function inspectFile(file: string, gzip: boolean, opts: { md5?: boolean } = {}): Promise<FileInspection> {
  const hash = createHash('sha256');
  const md5 = opts.md5 ? createHash('md5') : undefined;
  const gunzip = gzip ? zlib.createGunzip() : undefined;
  let gzipError: string | undefined;
  const drained = gunzip
    ? new Promise<void>((resolve) => {
        gunzip.on('data', () => undefined);
        gunzip.on('end', resolve);
        gunzip.on('error', (err) => {
          gzipError = `truncated or corrupt gzip: ${err.message}`;
          resolve();
        });
      })
    : Promise.resolve();
  for await (const chunk of fs.createReadStream(file, { highWaterMark: 1 << 20 })) {
    hash.update(chunk as Buffer);
    md5?.update(chunk as Buffer);
    if (gunzip && !gzipError && !gunzip.write(chunk)) await new Promise((r) => gunzip.once('drain', r));
  }
  gunzip?.end();
  await drained;
  return { sha256: hash.digest('hex'), gzipError, ...(md5 ? { md5: md5.digest('base64') } : {}) };
}
