import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { scaled } from './time';

/**
 * Starts fake-gcs-server (https://github.com/fsouza/fake-gcs-server) for a test file:
 * plain http on 127.0.0.1, a free port, objects kept in memory so nothing is left behind.
 * Built by `bash scripts/setup-tools.sh gcs` into .tools/bin.
 */
export interface FakeGcs {
  /** e.g. http://127.0.0.1:41234 — pass as the store's apiEndpoint. */
  endpoint: string;
  stop(): Promise<void>;
}

const BINARY = path.resolve(__dirname, '../../.tools/bin/fake-gcs-server');

export async function startFakeGcs(opts: { readyTimeoutMs?: number } = {}): Promise<FakeGcs> {
  if (!fs.existsSync(BINARY)) {
    throw new Error(`fake-gcs-server not found at ${BINARY}; build it with: bash scripts/setup-tools.sh gcs`);
  }
  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  const child = spawn(
    BINARY,
    // -external-url makes the resumable-upload Location header point back at this address.
    ['-scheme', 'http', '-host', '127.0.0.1', '-port', String(port), '-backend', 'memory', '-external-url', endpoint, '-log-level', 'warn'],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  const stderr: string[] = [];
  child.stderr?.on('data', (d: Buffer) => stderr.push(d.toString()));
  try {
    await waitUntilReady(endpoint, child, opts.readyTimeoutMs ?? 15_000);
  } catch (err) {
    await stopChild(child);
    throw new Error(`${(err as Error).message}\nfake-gcs-server stderr:\n${stderr.join('').slice(-2000)}`);
  }
  return { endpoint, stop: () => stopChild(child) };
}

async function waitUntilReady(endpoint: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + scaled(timeoutMs);
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`fake-gcs-server exited with code ${child.exitCode}`);
    try {
      const res = await fetch(`${endpoint}/storage/v1/b`);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`fake-gcs-server not ready at ${endpoint} after ${timeoutMs} ms`);
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}

/** A port the OS just handed out; fake-gcs-server cannot report the port it bound to itself. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
