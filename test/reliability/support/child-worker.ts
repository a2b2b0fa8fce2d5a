import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { STATE_FILE } from '../../support/global-setup';

export interface ChildWorker {
  process: ChildProcess;
  /** Everything the process wrote to stderr (its JSON logs). */
  stderr(): string;
  /** Resolves when the process has exited (by itself or by a signal). */
  exited: Promise<void>;
  /** Sends a signal and waits for the process to be gone. */
  stop(signal?: NodeJS.Signals): Promise<void>;
}

const SCRIPT = path.join(__dirname, 'worker-process.ts');

let server: { address: string; bundlePath: string; cliPath: string } | undefined;

/**
 * The dev server and workflow bundle that jest's global setup started / built, read once per
 * test file: a worker restarted later must reach the same server and run the same workflow
 * code even if another jest run on this machine rewrites the shared state file meanwhile.
 */
export function testServer(): { address: string; bundlePath: string; cliPath: string } {
  if (!server) {
    const state = JSON.parse(fs.readFileSync(STATE_FILE, 'utf8')) as { address: string; bundlePath: string; cliPath: string };
    const bundlePath = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'bundle-')), 'workflow-bundle.js');
    fs.copyFileSync(state.bundlePath, bundlePath);
    server = { ...state, bundlePath };
  }
  return server;
}

/**
 * Starts worker-process.ts as a separate Node process on a data dir and task queue and waits
 * until it polls. `env` is the worker's whole configuration (no inherited DAG_* or secrets).
 */
export async function startChildWorker(env: Record<string, string>): Promise<ChildWorker> {
  const server = testServer();
  const child = spawn(process.execPath, ['--require', require.resolve('tsx/cjs'), SCRIPT], {
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      TEMPORAL_ADDRESS: server.address,
      DAG_TEST_WORKFLOW_BUNDLE: server.bundlePath,
      DAG_LOG_LEVEL: 'info',
      ...env,
    },
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
    process: child,
    stderr: () => err,
    exited,
    async stop(signal: NodeJS.Signals = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
    },
  };
}
