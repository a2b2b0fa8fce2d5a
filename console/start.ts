import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import type { Client } from '@temporalio/client';
import { consoleUrl, secretValues, type Config } from '../config/config';
import { createObjectStore } from '../adapters/object-store';
import { explain } from '../cli/errors';
import { temporalAddress } from '../temporal/connection';
import { LOCAL_APPROVER } from '../config/approvals-config';
import { ensureLocalApprover } from '../lib/approvals/keys';
import { consoleApprovals } from './approvals';
import { ensureInitialAccounts, LocalAccounts } from './auth/local-accounts';
import { keyFileSigners } from './auth/signers';
import { SessionStore } from './auth/sessions';
import { workerReader } from './reader';
import { createConsoleApp } from './server';

export interface RunningConsole {
  url: string;
  /** Accounts created on this first start, with their passwords (shown once). */
  created: { name: string; password: string }[];
  /** No account exists yet (no approvers configured at first start). */
  noAccounts: boolean;
  close(): Promise<void>;
}

/**
 * Starts the console on loopback (DAG_CONSOLE_HOST/PORT) against a Temporal client. It reads the
 * object store for reports and sample rows and never opens the warehouse.
 */
export async function startConsole(config: Config, client: Client, opts: { temporalUiUrl?: string } = {}): Promise<RunningConsole> {
  const accounts = new LocalAccounts(config.console.accountsFile);
  const a = config.approvals;
  // The embedded default's local approver: its key (shared with the worker and the CLI) and an account of the same name.
  if (a.localApprover) ensureLocalApprover(a.localApproverDir, LOCAL_APPROVER);
  const created = await ensureInitialAccounts(accounts, [...a.approvers.map((e) => e.name), ...(a.localApprover ? [LOCAL_APPROVER] : [])]);
  const secrets = secretValues(config);
  const scrub = (s: string) => secrets.reduce((t, v) => t.split(v).join('***'), s);
  const app = createConsoleApp({
    approvals: consoleApprovals(client, config.temporal.taskQueue, keyFileSigners(config.console.keysDir)),
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
    noAccounts: !accounts.exists(),
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
  if (c.noAccounts) lines.push('  no console accounts: no approvers are configured (DAG_APPROVERS); add one with `npx dag console passwd <name>`');
  return lines.join('\n');
}
