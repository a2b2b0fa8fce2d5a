import { spawn } from 'node:child_process';
import * as path from 'node:path';

/**
 * A real worker process on the history's data dir and task queue (so SIGKILL is real), started
 * with the fault tests' worker script (test/reliability/support/worker-process.ts, which honours
 * DAG_TEST_SIGKILL_AFTER). Unlike that suite's launcher it takes the server and bundle
 * explicitly, so `npm run soak` (its own dev server) and jest share it.
 */
export interface ChildWorker {
  exited: Promise<void>;
  stop(signal?: NodeJS.Signals): Promise<void>;
}

const SCRIPT = path.resolve(__dirname, '../../reliability/support/worker-process.ts');

export async function startChildWorker(server: { address: string; bundlePath: string }, env: Record<string, string>): Promise<ChildWorker> {
  const child = spawn(process.execPath, ['--require', require.resolve('tsx/cjs'), SCRIPT], {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', TEMPORAL_ADDRESS: server.address, DAG_TEST_WORKFLOW_BUNDLE: server.bundlePath, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  child.stderr!.on('data', (d) => (err += d));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (d) => String(d).includes('ready') && resolve());
    void exited.then(() => reject(new Error(`worker process exited before it was ready: ${err.slice(-2000)}`)));
  });
  return {
    exited,
    async stop(signal: NodeJS.Signals = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
    },
  };
}
