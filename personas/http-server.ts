import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';
import { labelVector } from './label-vector';
import { FEATURES, thresholdOf, type PersonaModel } from './model';

/**
 * Real-time labelling with the active model, as the vendor-era system offered:
 *   POST /label  {"vector": {"x1": 4.2, …, "x10": 7.0}}  or  {"vectors": [{…}, …]} (≤ 1000)
 *   GET  /model  the model in use;  GET /health
 * Bodies are validated with zod; a bad vector gets 400 and the reason — also a finite vector so
 * far out that its distance to every persona overflows a double (e.g. a value of 1e200): it
 * cannot be compared with anything, so it is refused rather than labelled. Binds 127.0.0.1 only.
 * The model is reloaded (loadModel) when older than refreshMs, so a promotion takes effect.
 */
export interface EndpointOptions {
  port: number;
  loadModel: () => Promise<PersonaModel>;
  /** Overrides the model's own threshold (default: the model's, else 3.5). */
  threshold?: number;
  refreshMs?: number;
}

const MAX_BODY = 1 << 20;
const finite = z.number({
  error: (i) =>
    i.input === undefined ? 'is missing' : typeof i.input === 'number' ? 'must be a finite number' : `must be a number, got ${JSON.stringify(i.input)}`,
});
const vectorSchema = z.object(Object.fromEntries(FEATURES.map((f) => [f, finite])) as Record<(typeof FEATURES)[number], typeof finite>).strict();
const bodySchema = z.union([z.object({ vector: vectorSchema }).strict(), z.object({ vectors: z.array(vectorSchema).min(1).max(1000) }).strict()]);

export interface PersonaEndpoint {
  url: string;
  port: number;
  close(): Promise<void>;
}

export async function startPersonaEndpoint(opts: EndpointOptions): Promise<PersonaEndpoint> {
  const threshold = opts.threshold;
  let model = await opts.loadModel();
  let loadedAt = Date.now();
  const current = async () => {
    if (Date.now() - loadedAt > (opts.refreshMs ?? 30_000)) {
      model = await opts.loadModel();
      loadedAt = Date.now();
    }
    return model;
  };
  const server = http.createServer((req, res) => {
    handle(req, current, threshold)
      .then(([status, body]) => send(res, status, body))
      .catch((err: Error) => send(res, 500, { error: `internal error: ${err.message}` }));
  });
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(opts.port, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

type Reply = [number, unknown];

async function handle(req: http.IncomingMessage, current: () => Promise<PersonaModel>, override: number | undefined): Promise<Reply> {
  const path = (req.url ?? '/').split('?')[0];
  if (path === '/health' && req.method === 'GET') return [200, { ok: true, modelVersion: (await current()).version }];
  if (path === '/model' && req.method === 'GET') {
    const m = await current();
    return [200, { version: m.version, features: m.features, personas: m.personas.map((p) => p.name), threshold: thresholdOf(m, override), source: m.source }];
  }
  if (path !== '/label') return [404, { error: `no such endpoint ${path}: use POST /label, GET /model or GET /health` }];
  if (req.method !== 'POST') return [405, { error: 'use POST with a JSON body' }];
  const text = await readBody(req);
  if (text === undefined) return [413, { error: `body larger than ${MAX_BODY} bytes` }];
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    return [400, { error: `body is not valid JSON: ${(err as Error).message}` }];
  }
  const parsed = bodySchema.safeParse(json);
  if (!parsed.success) return [400, { error: 'invalid feature vector', reasons: reasonsOf(json, parsed.error) }];
  const m = await current();
  const threshold = thresholdOf(m, override);
  const batch = 'vectors' in parsed.data;
  const vectors = 'vectors' in parsed.data ? parsed.data.vectors : [parsed.data.vector];
  const labels = vectors.map((v) =>
    labelVector(
      m,
      m.features.map((f) => v[f as (typeof FEATURES)[number]]),
      threshold,
    ),
  );
  const overflow = labels.flatMap((l, i) => (Number.isFinite(l.distance) ? [] : [`${batch ? `vectors.${i}` : 'vector'}: ${tooFar(vectors[i])}`]));
  if (overflow.length) return [400, { error: 'invalid feature vector', reasons: overflow }];
  return [200, { modelVersion: m.version, threshold, labels }];
}

function tooFar(v: Record<string, number>): string {
  const [feature, value] = Object.entries(v).reduce((a, b) => (Math.abs(b[1]) > Math.abs(a[1]) ? b : a));
  return `values too large to compare with any persona (${feature} = ${value}): the distance overflows`;
}

/** The reasons against the branch the client meant (vector or vectors), not both union branches. */
function reasonsOf(json: unknown, err: z.ZodError): string[] {
  const obj = (json ?? {}) as Record<string, unknown>;
  const schema =
    'vectors' in obj
      ? z.object({ vectors: z.array(vectorSchema).min(1).max(1000) }).strict()
      : 'vector' in obj
        ? z.object({ vector: vectorSchema }).strict()
        : undefined;
  if (!schema) return ['expected {"vector": {x1..x10}} or {"vectors": [{x1..x10}, ...]}'];
  const r = schema.safeParse(json);
  const issues = r.success ? err.issues : r.error.issues;
  return issues.map((i) =>
    i.code === 'unrecognized_keys' ? `${[...i.path, ''].join('.')}unknown key(s) ${i.keys.join(', ')}` : `${i.path.join('.')}: ${i.message}`,
  );
}

function readBody(req: http.IncomingMessage): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= MAX_BODY) chunks.push(c);
    });
    req.on('end', () => resolve(size > MAX_BODY ? undefined : Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function send(res: http.ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}
