import * as fs from 'node:fs';
import { RUN_DIR } from './global-setup';

export default async function globalTeardown(): Promise<void> {
  await globalThis.__DAG_DEV_SERVER__?.stop();
  fs.rmSync(RUN_DIR, { recursive: true, force: true });
}
