import { createHash } from 'node:crypto';
import * as fs from 'node:fs';

/** sha256 of a file, streamed (constant memory). */
export async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of fs.createReadStream(file, { highWaterMark: 1 << 20 })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
