import * as http from 'node:http';
import type { Payload, PayloadCodec } from '@temporalio/common';
import { loadConfig } from '../config/config';
import { payloadCodec } from '../lib/codec';

/**
 * The remote codec endpoint the Temporal Web UI (and `temporal --codec-endpoint`) calls to show
 * encrypted payloads in clear: POST /decode and /encode with `{"payloads": [...]}` (metadata
 * values and data base64, as the UI sends them). Binds to 127.0.0.1 only: it decrypts, so it
 * must not be reachable from elsewhere; put it behind your SSO proxy if the UI is remote.
 *
 *   DAG_PAYLOAD_KEY=… npx tsx workers/codec-server.ts            # port DAG_CODEC_PORT (8081)
 *   temporal server start-dev --ui-codec-endpoint http://127.0.0.1:8081   # or UI: Settings → Codec Server
 *
 * CORS allows the UI's origin (DAG_CODEC_CORS_ORIGIN, default http://localhost:8233).
 */
export interface CodecServerOptions {
  codec: PayloadCodec;
  port?: number;
  corsOrigin?: string;
}

interface JsonPayload {
  metadata?: Record<string, string>;
  data?: string;
}

const fromJson = (p: JsonPayload): Payload => ({
  metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64')])),
  data: p.data === undefined ? undefined : Buffer.from(p.data, 'base64'),
});
const toJson = (p: Payload): JsonPayload => ({
  metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v).toString('base64')])),
  data: p.data ? Buffer.from(p.data).toString('base64') : undefined,
});

export async function startCodecServer(opts: CodecServerOptions): Promise<{ url: string; close(): Promise<void> }> {
  const cors = {
    'Access-Control-Allow-Origin': opts.corsOrigin ?? 'http://localhost:8233',
    'Access-Control-Allow-Methods': 'POST, OPTIONS',
    'Access-Control-Allow-Headers': 'Content-Type, X-Namespace, Authorization',
    'Access-Control-Allow-Credentials': 'true',
  };
  // The handler catches its own errors; `void` says nobody awaits it.
  const server = http.createServer((req, res) => void handle(req, res));
  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const reply = (status: number, body?: unknown) => {
      res.writeHead(status, { ...cors, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) });
      res.end(body === undefined ? undefined : JSON.stringify(body));
    };
    if (req.method === 'OPTIONS') return reply(204);
    const op = req.url === '/decode' ? 'decode' : req.url === '/encode' ? 'encode' : undefined;
    if (req.method !== 'POST' || !op) return reply(404, { error: 'POST /decode or /encode' });
    try {
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { payloads?: JsonPayload[] };
      if (!Array.isArray(body.payloads)) return reply(400, { error: 'body must be {"payloads": [...]}' });
      const out = await opts.codec[op](body.payloads.map(fromJson));
      reply(200, { payloads: out.map(toJson) });
    } catch (err) {
      // The message says what is wrong (bad JSON, wrong key id); it never contains the key.
      reply(400, { error: (err as Error).message });
    }
  }
  await new Promise<void>((resolve) => server.listen(opts.port ?? 0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return { url: `http://127.0.0.1:${port}`, close: () => new Promise((r) => server.close(() => r())) };
}

if (require.main === module) {
  const config = loadConfig();
  const codec = payloadCodec(config);
  if (!codec) throw new Error('DAG_PAYLOAD_KEY is not set: there is nothing to decode');
  void startCodecServer({ codec, port: Number(process.env.DAG_CODEC_PORT ?? 8081), corsOrigin: process.env.DAG_CODEC_CORS_ORIGIN }).then((s) =>
    process.stderr.write(`codec endpoint on ${s.url}\n`),
  );
}
