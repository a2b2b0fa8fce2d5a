import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import type { Client } from '@temporalio/client';
import { consoleUrl, secretValues, type Config } from '../config/config';
import { createObjectStore } from '../adapters/object-store';
import { explain } from '../cli/errors';
import { temporalAddress } from '../temporal/connection';
import { temporalApprovals } from './approvals';
import { ensureInitialAccounts, LocalAccounts } from './auth/local-accounts';
import { SessionStore } from './auth/sessions';
import { workerReader } from './reader';
import { createConsoleApp } from './server';

export interface RunningConsole {
  url: string;
  /** Accounts created on this first start, with their passwords (shown once). */
  created: { name: string; password: string }[];
  close(): Promise<void>;
}

/**
 * Starts the console on loopback (DAG_CONSOLE_HOST/PORT) against a Temporal client. It reads the
 * object store for reports and sample rows and never opens the warehouse.
 */
export async function startConsole(config: Config, client: Client, opts: { temporalUiUrl?: string } = {}): Promise<RunningConsole> {
  const accounts = new LocalAccounts(config.console.accountsFile);
  const created = await ensureInitialAccounts(accounts, config.approvers);
  const secrets = secretValues(config);
  const scrub = (s: string) => secrets.reduce((t, v) => t.split(v).join('***'), s);
  const app = createConsoleApp({
    approvals: temporalApprovals(client, config.temporal.taskQueue),
    reader: workerReader(client, createObjectStore(config), config.temporal.taskQueue),
    store: createObjectStore(config),
    identity: accounts,
    sessions: new SessionStore(config.console.sessionHours * 3600_000),
    client,
    taskQueue: config.temporal.taskQueue,
    namespace: config.temporal.namespace,
    temporalUiUrl: config.console.temporalUiUrl ?? opts.temporalUiUrl,
    secureCookies: consoleUrl(config).startsWith('https:'),
    explain: (err) => scrub(explain(err, temporalAddress(config)).split('\n')[0]),
  });
  const server = await new Promise<ReturnType<typeof serve>>((resolve, reject) => {
    const s = serve({ fetch: app.fetch, hostname: config.console.host, port: config.console.port }, () => resolve(s));
    s.once('error', (err: NodeJS.ErrnoException) =>
      reject(new Error(err.code === 'EADDRINUSE' ? `console: port ${config.console.port} is in use (set DAG_CONSOLE_PORT)` : `console: ${err.message}`)),
    );
  });
  const port = (server.address() as AddressInfo).port;
  const url = config.console.publicUrl ?? consoleUrl({ ...config, console: { ...config.console, port } });
  return {
    url: url.replace(/\/+$/, ''),
    created,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** What `dag console`, `dag dev` and `npm start` print about the console. */
export function describeConsole(c: RunningConsole, accountsFile: string): string {
  const lines = [`Approvals console ${c.url}`];
  if (c.created.length) {
    lines.push(`  first start: created console account(s) in ${accountsFile} — these passwords are shown once:`);
    for (const a of c.created) lines.push(`    ${a.name}  ${a.password}`);
    lines.push('  change one with `npx dag console passwd <name>`');
  }
  return lines.join('\n');
}
