import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { startFakesnowProxy, type FakesnowProxy } from './fakesnow-proxy';
import { scaled } from './time';

/**
 * Starts fakesnow (https://github.com/tekumara/fakesnow, a Snowflake emulator on DuckDB) as an
 * HTTP server on 127.0.0.1, plus the Arrow→JSON proxy the Node snowflake-sdk needs in front of
 * it (see fakesnow-proxy.ts). fakesnow picks its own free port and prints it; we read it from
 * the log line, so there is no race between choosing a port and binding it. Data is in memory
 * and shared by every session of this server, and gone when it stops.
 * Installed by `bash scripts/setup-tools.sh fakesnow` into .venv (fakesnow 0.12.1 needs
 * snowflake-connector-python < 5: 5.x removed the `converter` module it imports).
 *
 * What the emulator does NOT cover (the live suite, test/warehouse/snowflake-live.test.ts, does):
 * - results: always inline; the sdk's chunked large-result download is never exercised, and
 *   rowsets are Arrow (the proxy turns them into JSON); TIMESTAMP_TZ only in UTC, no LTZ/TIMEZONE;
 * - auth: any password is accepted; key-pair (JWT) login, roles and warehouses are not checked;
 * - PUT: uploads go to a GCS-style presigned URL on fakesnow (the proxy supplies the `region` the
 *   sdk needs and answers its pre-upload GET with 404); no S3/Azure/GCS, no client-side
 *   encryption, no user stage `@~`;
 * - COPY: ON_ERROR = ABORT_STATEMENT only, no VALIDATE(), no METADATA$ columns — our loads do not
 *   need them (see snowflake-raw-file.ts);
 * - SQL: REAL (non-integer) binds arrive as text; HASH() and TRY_TO_TIMESTAMP_TZ on columns fail;
 *   TRY_PARSE_JSON of a bind (not a column) fails; TEMPORARY tables in a named schema fail;
 *   DDL inside a transaction is transactional here but auto-commits on Snowflake;
 *   QUERY_TAG and other statement parameters are ignored (tests read them at the proxy);
 * - service behaviour: no 429 throttling, session expiry, queueing, timeouts or concurrency
 *   limits (the proxy injects 503s and connection resets to exercise retries).
 */
export interface Fakesnow {
  /** Settings for SnowflakeWarehouse.open (they go through the proxy). */
  connection: {
    account: string;
    username: string;
    password: string;
    database: string;
    warehouse: string;
    schema: string;
    host: string;
    port: number;
    protocol: 'http';
  };
  proxy: FakesnowProxy;
  stop(): Promise<void>;
}

const VENV = path.resolve(__dirname, '../../.venv/bin');

export async function startFakesnow(opts: { readyTimeoutMs?: number } = {}): Promise<Fakesnow> {
  const binary = path.join(VENV, 'fakesnow');
  if (!fs.existsSync(binary)) throw new Error(`fakesnow not found at ${binary}; install it with: bash scripts/setup-tools.sh fakesnow`);
  const child = spawn(binary, ['--server', '--host', '127.0.0.1'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  let port: number;
  try {
    port = await new Promise<number>((resolve, reject) => {
      const limit = scaled(opts.readyTimeoutMs ?? 20_000);
      const timer = setTimeout(() => reject(new Error(`fakesnow not ready after ${limit} ms`)), limit);
      const onData = (d: Buffer) => {
        log = (log + d.toString()).slice(-4000);
        const m = /Uvicorn running on http:\/\/127\.0\.0\.1:(\d+)/.exec(log);
        if (m) {
          clearTimeout(timer);
          resolve(Number(m[1]));
        }
      };
      child.stdout?.on('data', onData);
      child.stderr?.on('data', onData);
      child.once('exit', (code) => reject(new Error(`fakesnow exited with code ${code}`)));
    });
  } catch (err) {
    await stopChild(child);
    throw new Error(`${(err as Error).message}\nfakesnow output:\n${log}`);
  }
  // Keep draining fakesnow's per-request log so its pipe never fills up (DAG_FAKESNOW_LOG=file keeps it).
  const sink = process.env.DAG_FAKESNOW_LOG ? fs.createWriteStream(process.env.DAG_FAKESNOW_LOG, { flags: 'a' }) : undefined;
  child.stdout?.on('data', (d: Buffer) => sink?.write(d));
  child.stderr?.on('data', (d: Buffer) => sink?.write(d));
  const proxy = await startFakesnowProxy({ host: '127.0.0.1', port }, path.join(VENV, 'python'));
  return {
    connection: {
      account: 'fakesnow',
      username: 'fake',
      password: 'fake',
      database: 'dag_test',
      warehouse: 'fake_wh',
      schema: 'public',
      host: '127.0.0.1',
      port: proxy.port,
      protocol: 'http',
    },
    proxy,
    stop: async () => {
      await proxy.stop();
      await stopChild(child);
    },
  };
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGINT'); // fakesnow's server waits for SIGINT to shut uvicorn down cleanly
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}
