import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A loopback HTTP server answering the few Docker Engine API calls the DockerLauncher makes,
 * in the Engine's wire format, and recording every request. A real dockerode talks to it.
 */
export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  body: any;
}

interface FakeContainer {
  Id: string;
  Name: string;
  Image: string;
  Labels: Record<string, string>;
  Env: string[];
  State: { Status: string; Running: boolean; ExitCode: number; StartedAt: string; FinishedAt: string; OOMKilled: boolean; Error: string };
  stderr: string;
}

const ZERO_TIME = '0001-01-01T00:00:00Z';

export class FakeDockerEngine {
  readonly requests: RecordedRequest[] = [];
  readonly containers = new Map<string, FakeContainer>();
  readonly images = new Set<string>();
  private server = http.createServer((req, res) => this.handle(req, res));
  private nextId = 1;
  port = 0;

  async start(): Promise<number> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
    return this.port;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** Makes a container end as if its process exited. */
  exit(id: string, exitCode: number, stderr = '', finishedAt = new Date().toISOString()): void {
    const c = this.containers.get(id)!;
    c.State = { ...c.State, Status: 'exited', Running: false, ExitCode: exitCode, FinishedAt: finishedAt };
    c.stderr = stderr;
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    let raw = '';
    req.on('data', (chunk) => (raw += chunk));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://engine');
      const path = url.pathname.replace(/^\/v[\d.]+/, '');
      const rec: RecordedRequest = { method: req.method ?? '', path, query: Object.fromEntries(url.searchParams), body: raw ? JSON.parse(raw) : undefined };
      this.requests.push(rec);
      const [status, body] = this.route(rec);
      if (Buffer.isBuffer(body)) {
        res.writeHead(status, { 'content-type': 'application/vnd.docker.raw-stream' }).end(body);
      } else {
        res.writeHead(status, { 'content-type': 'application/json' }).end(body === undefined ? '' : JSON.stringify(body));
      }
    });
  }

  private route(r: RecordedRequest): [number, unknown] {
    const m = r.path.match(/^\/containers\/([^/]+)(?:\/(\w+))?$/);
    if (r.method === 'GET' && r.path === '/containers/json') {
      const wanted: string[] = JSON.parse(r.query.filters ?? '{}').label ?? [];
      const list = [...this.containers.values()].filter((c) => wanted.every((l) => `${l.split('=')[0]}=${c.Labels[l.split('=')[0]]}` === l));
      return [200, list.map((c) => ({ Id: c.Id, Names: [`/${c.Name}`], Image: c.Image, Labels: c.Labels, State: c.State.Status }))];
    }
    if (r.method === 'POST' && r.path === '/containers/create') {
      if (!this.images.has(r.body.Image)) return [404, { message: `No such image: ${r.body.Image}` }];
      if ([...this.containers.values()].some((c) => c.Name === r.query.name)) return [409, { message: 'Conflict. The container name is already in use' }];
      const Id = `c${this.nextId++}`.padEnd(64, '0');
      const State = { Status: 'created', Running: false, ExitCode: 0, StartedAt: ZERO_TIME, FinishedAt: ZERO_TIME, OOMKilled: false, Error: '' };
      this.containers.set(Id, { Id, Name: r.query.name, Image: r.body.Image, Labels: r.body.Labels ?? {}, Env: r.body.Env ?? [], State, stderr: '' });
      return [201, { Id, Warnings: [] }];
    }
    if (r.method === 'POST' && r.path === '/images/create') {
      this.images.add(`${r.query.fromImage}:${r.query.tag}`);
      return [200, { status: `Downloaded newer image for ${r.query.fromImage}:${r.query.tag}` }];
    }
    const c = m ? this.containers.get(m[1]) : undefined;
    if (!m || !c) return [404, { message: `No such container: ${m?.[1]}` }];
    const action = `${r.method} ${m[2] ?? ''}`;
    if (action === 'POST start') {
      c.State = { ...c.State, Status: 'running', Running: true, StartedAt: new Date().toISOString() };
      return [204, undefined];
    }
    if (action === 'GET json') return [200, { Id: c.Id, Name: `/${c.Name}`, State: c.State, Config: { Image: c.Image, Env: c.Env, Labels: c.Labels } }];
    if (action === 'POST stop') {
      if (!c.State.Running) return [304, undefined];
      this.exit(c.Id, 143);
      return [204, undefined];
    }
    if (action === 'DELETE ') {
      this.containers.delete(c.Id);
      return [204, undefined];
    }
    if (action === 'GET logs') return [200, frame(2, c.stderr)];
    return [404, { message: `fake engine: no route ${action}` }];
  }
}

/** One frame of Docker's multiplexed log stream (stream 1 = stdout, 2 = stderr). */
function frame(stream: number, text: string): Buffer {
  const payload = Buffer.from(text, 'utf8');
  const header = Buffer.alloc(8);
  header[0] = stream;
  header.writeUInt32BE(payload.length, 4);
  return Buffer.concat([header, payload]);
}
