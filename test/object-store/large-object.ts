import { createHash, randomBytes } from 'node:crypto';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

/**
 * A large object made on the fly: random 1 MiB chunks, hashed as they are produced, so neither
 * the test nor the store under test ever has to hold the whole body in memory.
 */
export function randomBody(totalBytes: number, chunkBytes = 1024 * 1024): { stream: Readable; sha256: () => string } {
  const hash = createHash('sha256');
  let left = totalBytes;
  const stream = new Readable({
    read() {
      if (left === 0) return void this.push(null);
      const chunk = randomBytes(Math.min(chunkBytes, left));
      left -= chunk.length;
      hash.update(chunk);
      this.push(chunk);
    },
  });
  const sha256 = () => {
    if (left !== 0) throw new Error(`body not fully read: ${left} bytes left`);
    return hash.digest('hex');
  };
  return { stream, sha256 };
}

/** sha256 and byte count of a stream, consumed chunk by chunk. */
export async function sha256Of(stream: Readable): Promise<{ sha256: string; bytes: number }> {
  const hash = createHash('sha256');
  let bytes = 0;
  await pipeline(
    stream,
    new Writable({
      write(chunk: Buffer, _enc, done) {
        hash.update(chunk);
        bytes += chunk.length;
        done();
      },
    }),
  );
  return { sha256: hash.digest('hex'), bytes };
}
