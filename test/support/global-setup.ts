import * as fs from 'node:fs';
import * as path from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { resolveTemporalCli } from '../../temporal/cli-binary';
import { startDevServer, type DevServer } from '../../temporal/dev-server';
import { WORKFLOWS_PATH } from '../../workers/worker';
import { fastDeadAttempts } from './workflow-bundle';

/**
 * One real Temporal dev server (the CLI binary, in memory, headless) and one workflow bundle
 * (the product's workflows with test-speed dead-attempt timeouts: workflow-bundle.ts) for the whole run; test files connect to it with their own task queues.
 */
// Per jest run (the setup's pid, handed to the workers through the environment): two jest runs in
// one checkout must not read each other's server address — the first to finish stops its server.
export const RUN_DIR = process.env.DAG_TEST_RUN_DIR ?? path.resolve(__dirname, '../../.data/test', `run-${process.pid}`);
export const STATE_FILE = path.join(RUN_DIR, 'temporal-test-env.json');

declare global {
  var __DAG_DEV_SERVER__: DevServer | undefined;
}

export default async function globalSetup(): Promise<void> {
  fs.mkdirSync(RUN_DIR, { recursive: true });
  process.env.DAG_TEST_RUN_DIR = RUN_DIR;
  const cliPath = resolveTemporalCli(process.env.TEMPORAL_CLI_PATH);
  if (!cliPath) throw new Error('Temporal CLI not found and could not be built: run scripts/setup-tools.sh temporal');
  const [server, bundle] = await Promise.all([
    process.env.DAG_TEST_TEMPORAL_ADDRESS
      ? undefined
      : startDevServer({ cliPath, headless: true, logFile: path.join(path.dirname(STATE_FILE), 'temporal.log') }),
    // scripts/mutants.ts hands over a bundle built once when the mutated file is not part of it.
    process.env.DAG_TEST_WORKFLOW_BUNDLE
      ? { code: fs.readFileSync(process.env.DAG_TEST_WORKFLOW_BUNDLE, 'utf8') }
      : bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: quietLogger, webpackConfigHook: fastDeadAttempts }),
  ]);
  const bundlePath = path.join(path.dirname(STATE_FILE), 'workflow-bundle.js');
  fs.writeFileSync(bundlePath, bundle.code);
  globalThis.__DAG_DEV_SERVER__ = server;
  fs.writeFileSync(STATE_FILE, JSON.stringify({ address: process.env.DAG_TEST_TEMPORAL_ADDRESS ?? server?.address, bundlePath, cliPath }));
}

const noop = () => undefined;
const quietLogger = { trace: noop, debug: noop, info: noop, warn: console.warn, error: console.error, log: noop };
