import * as path from 'node:path';
import { Runtime, DefaultLogger } from '@temporalio/worker';
import type { Config } from '../config/config';
import { openDeps } from '../lib/open-deps';
import type { ActivityDeps } from '../lib/deps';
import { resolveTemporalCli } from '../temporal/cli-binary';
import { startDevServer, type DevServer } from '../temporal/dev-server';
import { connectClient, connectWorker } from '../temporal/connection';
import { startConsole, type RunningConsole } from '../console/start';
import { createDagWorker } from '../workers/worker';
import { CliError } from './errors';

export interface EmbeddedStack {
  server?: DevServer;
  address: string;
  uiUrl?: string;
  deps: ActivityDeps;
  /** The approvals console (unless started with `console: false`). */
  console?: RunningConsole;
  stop(): Promise<void>;
}

/**
 * The embedded stack in one process: Temporal dev server (SQLite state in the data dir, Web UI),
 * plus a worker. With TEMPORAL_ADDRESS set, only the worker starts, against that server.
 */
export async function startEmbedded(config: Config, opts: { console?: boolean } = {}): Promise<EmbeddedStack> {
  Runtime.install({ logger: new DefaultLogger('WARN'), shutdownSignals: [] });
  let server: DevServer | undefined;
  if (!config.temporal.address) {
    const cliPath = resolveTemporalCli(config.temporal.devServer.cliPath);
    if (!cliPath)
      throw new CliError('no Temporal CLI found and Go is not available to build it: install it (https://temporal.io/setup) or set TEMPORAL_CLI_PATH');
    server = await startDevServer({
      cliPath,
      dbFile: path.join(config.dataDir, 'temporal.sqlite'),
      port: config.temporal.devServer.port,
      uiPort: config.temporal.devServer.uiPort,
      logFile: path.join(config.dataDir, 'temporal-server.log'),
    }).catch((err: Error) => {
      throw new CliError(
        `could not start the Temporal dev server on port ${config.temporal.devServer.port}: ${err.message} (is another one running? set DAG_TEMPORAL_PORT)`,
      );
    });
  }
  const address = server?.address ?? config.temporal.address!;
  const deps = await openDeps(config);
  const connection = await connectWorker(config, address);
  const worker = await createDagWorker({ connection, deps });
  const running = worker.run();
  const client = opts.console === false ? undefined : await connectClient(config, address);
  // The pipeline runs without the console: a busy port costs the console, not the stack.
  const consoleApp = client
    ? await startConsole(config, client, { temporalUiUrl: server?.uiUrl }).catch((err: Error) => {
        process.stderr.write(`dag: approvals console not started: ${err.message}\n`);
        return undefined;
      })
    : undefined;
  return {
    server,
    address,
    uiUrl: server?.uiUrl,
    deps,
    console: consoleApp,
    async stop() {
      await consoleApp?.close();
      await client?.connection.close();
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await running.catch(() => undefined);
      await connection.close();
      await deps.warehouse.close();
      await server?.stop();
    },
  };
}

/** Resolves on the first Ctrl-C / SIGTERM. */
export function untilSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const on = (sig: NodeJS.Signals) => resolve(sig);
    process.once('SIGINT', on);
    process.once('SIGTERM', on);
  });
}
