import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';

const ROOT = path.resolve(__dirname, '../../..');

/** A free loopback port (bound, then released). */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export interface DevStack {
  url: string;
  output: () => string;
  stop(): Promise<void>;
}

/**
 * `dag dev` as a real child process (worker + approvals console) against the test run's Temporal
 * dev server; resolves once it printed the console's address.
 */
export async function startDagDev(env: Record<string, string>): Promise<DevStack> {
  const child: ChildProcess = spawn(process.execPath, [path.join(ROOT, 'bin/dag'), 'dev', '--no-server'], {
    cwd: ROOT,
    env: { ...process.env, DAG_LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (b: Buffer) => (out += b.toString('utf8')));
  child.stderr!.on('data', (b: Buffer) => (out += b.toString('utf8')));
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  const url = await new Promise<string>((resolve, reject) => {
    const check = () => {
      const m = /Approvals console (http:\/\/\S+)/.exec(out);
      if (m && out.includes('Ctrl-C to stop')) return resolve(m[1]);
    };
    child.stdout!.on('data', check);
    void exited.then((code) => reject(new Error(`dag dev exited (${code}) before the console started:\n${out.slice(-3000)}`)));
  });
  return {
    url,
    output: () => out,
    async stop() {
      if (child.exitCode === null) child.kill('SIGINT');
      await exited;
    },
  };
}

/** Debian's chromium through playwright-core (no downloaded browser), with a fresh profile. */
export async function launchChromium(): Promise<{ context: BrowserContext; close(): Promise<void> }> {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'dag-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
    viewport: { width: 1280, height: 900 },
  });
  return {
    context,
    async close() {
      await context.close();
      fs.rmSync(profile, { recursive: true, force: true });
    },
  };
}
