import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import * as readline from 'node:readline';
import * as zlib from 'node:zlib';

/**
 * Test-only HTTP proxy between the Node snowflake-sdk and fakesnow's server.
 *
 * fakesnow answers SELECTs with Arrow rowsets (`rowsetBase64`), which only the Python/JDBC
 * connectors read; the Node snowflake-sdk reads JSON rowsets. The proxy forwards every request
 * unchanged and rewrites only query answers: the Arrow IPC stream becomes a JSON `rowset` (arrays
 * of strings in Snowflake's wire format) beside fakesnow's own `rowtype`, so the sdk's real
 * parsing and type conversion run. Decoding is done by a long-lived pyarrow process
 * (fakesnow-arrow-to-json.py): no Arrow reader is installed for Node, and pyarrow is already in
 * .venv because fakesnow needs it. One process, one line per rowset, answers in order.
 *
 * It also records each query request (SQL text + statement parameters such as QUERY_TAG) and can
 * inject failures, so tests can check what the sdk sent and how the adapter retries.
 */
export interface ProxiedQuery {
  sqlText: string;
  parameters: Record<string, unknown>;
}

export interface FakesnowProxy {
  url: string;
  port: number;
  queries: ProxiedQuery[];
  /** The next `count` query requests fail as `kind` before reaching fakesnow. */
  injectFailures(count: number, kind: 'http503' | 'reset'): void;
  stop(): Promise<void>;
}

const CONVERTER = path.resolve(__dirname, 'fakesnow-arrow-to-json.py');

export async function startFakesnowProxy(upstream: { host: string; port: number }, python: string): Promise<FakesnowProxy> {
  const converter = startConverter(python);
  const queries: ProxiedQuery[] = [];
  const pending = { count: 0, kind: 'http503' as 'http503' | 'reset' };

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const isQuery = (req.url ?? '').startsWith('/queries/v1/query-request');
      if (req.method === 'GET' && (req.url ?? '').startsWith('/fs_bucket/')) {
        // The sdk checks a presigned GCS URL with GET before a PUT upload; GCS answers 404 for a
        // new object, fakesnow has no GET route (405, which the sdk treats as fatal).
        res.writeHead(404).end();
        return;
      }
      if (isQuery && pending.count > 0) {
        pending.count--;
        if (pending.kind === 'reset') return void req.socket.destroy();
        res.writeHead(503, { 'content-type': 'text/plain' }).end('injected by fakesnow-proxy');
        return;
      }
      const body = Buffer.concat(chunks);
      if (isQuery) queries.push(readQuery(body, req.headers['content-encoding']));
      forward(upstream, req, body, async (status, headers, answer) => {
        if (isQuery && status === 500) {
          // fakesnow answers 500 for "a bug or use of an unsupported feature" (its words). The sdk
          // would retry a 5xx for minutes; as a SQL error the test fails at once and says why.
          return sqlError(res, `fakesnow could not run this statement (unsupported or emulator bug): ${answer.toString('utf8').slice(-600)}`);
        }
        const rewritten = isQuery && status === 200 ? await toJsonRowset(answer, converter.convert) : answer;
        delete headers['content-length'];
        delete headers['transfer-encoding'];
        res.writeHead(status, { ...headers, 'content-length': rewritten.length }).end(rewritten);
      }).catch((err: Error) => sqlError(res, `fakesnow-proxy: ${err.message}`));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    queries,
    injectFailures: (count, kind) => Object.assign(pending, { count, kind }),
    stop: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await converter.stop();
    },
  };
}

function sqlError(res: http.ServerResponse, message: string): void {
  const body = JSON.stringify({ data: { errorCode: '261000', sqlState: '0A000' }, code: '261000', message, success: false });
  res.writeHead(200, { 'content-type': 'application/json' }).end(body);
}

function readQuery(body: Buffer, encoding: string | string[] | undefined): ProxiedQuery {
  const text = encoding === 'gzip' ? zlib.gunzipSync(body).toString('utf8') : body.toString('utf8');
  const json = JSON.parse(text) as { sqlText?: string; parameters?: Record<string, unknown> };
  return { sqlText: json.sqlText ?? '', parameters: json.parameters ?? {} };
}

function forward(
  upstream: { host: string; port: number },
  req: http.IncomingMessage,
  body: Buffer,
  reply: (status: number, headers: http.OutgoingHttpHeaders, body: Buffer) => Promise<void>,
): Promise<void> {
  return new Promise((resolve, reject) => {
    // The Host header stays the proxy's, so presigned upload URLs fakesnow builds from it come back here.
    const headers = { ...req.headers, 'accept-encoding': 'identity' };
    const up = http.request({ host: upstream.host, port: upstream.port, method: req.method, path: req.url, headers }, (upRes) => {
      const parts: Buffer[] = [];
      upRes.on('data', (c: Buffer) => parts.push(c));
      upRes.on('end', () => void reply(upRes.statusCode ?? 502, { ...upRes.headers }, Buffer.concat(parts)).then(resolve, reject));
      upRes.on('error', reject);
    });
    up.on('error', reject);
    up.end(body);
  });
}

type Convert = (b64: string, rowtype: unknown[]) => Promise<string[][]>;

async function toJsonRowset(answer: Buffer, convert: Convert): Promise<Buffer> {
  const json = JSON.parse(answer.toString('utf8')) as { data?: Record<string, unknown> };
  const data = json.data;
  const stage = data?.stageInfo as Record<string, unknown> | undefined;
  if (stage?.locationType === 'GCS' && stage.region === undefined) {
    // A PUT answer: real Snowflake always names the stage's region, and the sdk's GCS uploader
    // reads it; fakesnow leaves it out. The upload itself goes to fakesnow's presigned URL.
    stage.region = 'us-central1';
    return Buffer.from(JSON.stringify(json));
  }
  if (!data || (data.queryResultFormat !== 'arrow' && !Array.isArray(data.rowset))) return answer;
  if (data.queryResultFormat === 'arrow') {
    const b64 = String(data.rowsetBase64 ?? '');
    data.rowset = b64 ? await convert(b64, (data.rowtype as unknown[]) ?? []) : [];
    data.queryResultFormat = 'json';
  }
  // Snowflake always says how many rows this answer holds; without it the sdk waits for chunks.
  data.returned = (data.rowset as unknown[]).length;
  data.version = 1; // result version 1: TIMESTAMP_TZ values are "<seconds> <offset index>"
  delete data.rowsetBase64;
  return Buffer.from(JSON.stringify(json));
}

function startConverter(python: string): { convert: Convert; stop(): Promise<void> } {
  const child: ChildProcessWithoutNullStreams = spawn(python, ['-u', CONVERTER], { stdio: 'pipe' });
  const waiting: Array<{ resolve: (rows: string[][]) => void; reject: (e: Error) => void }> = [];
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-2000)));
  readline.createInterface({ input: child.stdout }).on('line', (line) => {
    const next = waiting.shift();
    const out = JSON.parse(line) as { rowset?: string[][]; error?: string };
    if (out.error || !out.rowset) next?.reject(new Error(`arrow→json: ${out.error}`));
    else next?.resolve(out.rowset);
  });
  child.on('exit', () => waiting.splice(0).forEach((w) => w.reject(new Error(`arrow→json converter exited: ${stderr}`))));
  return {
    convert: (b64, rowtype) =>
      new Promise((resolve, reject) => {
        waiting.push({ resolve, reject });
        child.stdin.write(JSON.stringify({ b64, rowtype }) + '\n');
      }),
    stop: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.stdin.end();
      await exited;
    },
  };
}
