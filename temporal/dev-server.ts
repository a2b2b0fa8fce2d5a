import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { Connection } from '@temporalio/client';
import { SEARCH_ATTRIBUTES } from '../workflows/shared/search-attributes';

export interface DevServerOptions {
  cliPath: string;
  /** SQLite file for durable state; omit for an in-memory server (tests). */
  dbFile?: string;
  port?: number;
  uiPort?: number;
  /** Disable the Web UI (tests). */
  headless?: boolean;
  namespace?: string;
  logFile?: string;
}

export interface DevServer {
  address: string;
  uiUrl?: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

/**
 * Starts `temporal server start-dev` on loopback with the project's search attributes
 * registered and, by default, state persisted to a SQLite file — so a restarted server resumes
 * running workflows. Resolves once the frontend answers gRPC.
 */
export async function startDevServer(opts: DevServerOptions): Promise<DevServer> {
  const port = opts.port || (await freePort());
  const args = ['server', 'start-dev', '--ip', '127.0.0.1', '--port', String(port), '--log-level', 'warn'];
  if (opts.dbFile) {
    fs.mkdirSync(path.dirname(opts.dbFile), { recursive: true });
    args.push('--db-filename', opts.dbFile);
  }
  if (opts.namespace && opts.namespace !== 'default') args.push('--namespace', opts.namespace);
  let uiUrl: string | undefined;
  if (opts.headless) args.push('--headless');
  else {
    const uiPort = opts.uiPort || (await freePort());
    args.push('--ui-ip', '127.0.0.1', '--ui-port', String(uiPort));
    uiUrl = `http://localhost:${uiPort}`;
  }
  for (const key of SEARCH_ATTRIBUTES) args.push('--search-attribute', `${key.name}=Keyword`);
  const log = opts.logFile ? fs.openSync(opts.logFile, 'a') : 'ignore';
  const child = spawn(opts.cliPath, args, { stdio: ['ignore', log, log] });
  const address = `127.0.0.1:${port}`;
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  await waitForFrontend(address, exited, opts.logFile);
  return {
    address,
    uiUrl,
    process: child,
    async stop() {
      if (child.exitCode !== null || child.signalCode) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

async function waitForFrontend(address: string, exited: Promise<number | null>, logFile?: string): Promise<void> {
  let dead: number | null | undefined;
  void exited.then((code) => (dead = code));
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (dead !== undefined) throw new Error(`temporal dev server exited with code ${dead}${logFile ? ` (see ${logFile})` : ''}`);
    try {
      const conn = await Connection.connect({ address, connectTimeout: 1000 });
      await conn.workflowService.getSystemInfo({});
      await conn.close();
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  throw new Error(`temporal dev server did not answer on ${address} within 60 s`);
}

/** A free TCP port on loopback (the OS picks it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}
