import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Runtime, DefaultLogger, type Worker } from '@temporalio/worker';
import { loadConfig, type Config } from '../../config/config';
import { openDeps } from '../../lib/open-deps';
import type { ActivityDeps } from '../../lib/deps';
import { createDagWorker } from '../../workers/worker';
import { STATE_FILE } from './global-setup';

let runtimeInstalled = false;

export interface TestEnv {
  address: string;
  client: Client;
  connection: NativeConnection;
  cliPath: string;
  /** A worker on a fresh task queue with its own data dir (DuckDB file, landing folder). */
  makeWorker(opts?: { env?: Record<string, string>; deps?: ActivityDeps }): Promise<TestWorker>;
  close(): Promise<void>;
}

export interface TestWorker {
  worker: Worker;
  deps: ActivityDeps;
  config: Config;
  taskQueue: string;
  /** Shuts the worker down (waiting for it) and closes the warehouse. */
  close(): Promise<void>;
}

/**
 * Runs a worker (it polls for the rest of the test file; a fatal worker error fails the next
 * assertion) and returns what stops it: shut down, then wait until it has.
 */
export function runWorker(worker: Worker): () => Promise<void> {
  const running = worker.run();
  return async () => {
    if (worker.getState() === 'RUNNING') worker.shutdown();
    await running;
  };
}

const noop = () => undefined;
/** For bundleWorkflowCode in tests: errors only. */
export const quietLogger = { trace: noop, debug: noop, info: noop, warn: noop, error: console.error, log: noop };

export function tempDataDir(prefix = 'dag-test-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export async function testConfig(env: Record<string, string> = {}): Promise<Config> {
  return loadConfig({ DAG_DATA_DIR: tempDataDir(), DAG_LOG_LEVEL: 'warn', ...env });
}

/** Connects to the dev server started by globalSetup. One per test file. */
export async function createTestEnv(): Promise<TestEnv> {
  const state = JSON.parse(fs.readFileSync(STATE_FILE, 'utf8')) as { address: string; bundlePath: string; cliPath: string };
  if (!runtimeInstalled) {
    Runtime.install({ logger: new DefaultLogger('WARN') });
    runtimeInstalled = true;
  }
  const connection = await NativeConnection.connect({ address: state.address });
  const clientConnection = await Connection.connect({ address: state.address });
  const client = new Client({ connection: clientConnection });
  return {
    address: state.address,
    client,
    connection,
    cliPath: state.cliPath,
    async makeWorker(opts = {}) {
      const taskQueue = `test-${randomUUID()}`;
      const config = await testConfig({ DAG_TASK_QUEUE: taskQueue, ...opts.env });
      const deps = opts.deps ?? (await openDeps(config));
      const worker = await createDagWorker({ connection, deps: { ...deps, config }, taskQueue, workflowBundle: { codePath: state.bundlePath } });
      const stop = runWorker(worker);
      return {
        worker,
        deps,
        config,
        taskQueue,
        async close() {
          await stop();
          await deps.warehouse.close();
        },
      };
    },
    async close() {
      await clientConnection.close();
      await connection.close();
    },
  };
}
