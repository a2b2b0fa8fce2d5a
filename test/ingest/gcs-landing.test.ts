import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import { Storage } from '@google-cloud/storage';
import { createObjectStore } from '../../adapters/object-store';
import { listLandingFiles } from '../../activities/ingest/landing';
import { loadBronzeFile } from '../../activities/ingest/load-bronze';
import { loadConfig } from '../../config/config';
import type { ActivityDeps } from '../../lib/deps';
import { startFakeGcs, type FakeGcs } from '../support/fake-gcs';
import { freshDeps } from '../support/fixtures';

/** Landing on GCS (fake-gcs-server): pick up new objects, remember generations, mark processed. */
const D = '2026-11-01';
let gcs: FakeGcs;
let deps: ActivityDeps;
beforeAll(async () => {
  gcs = await startFakeGcs();
  await new Storage({ apiEndpoint: gcs.endpoint, projectId: 'test' }).createBucket('landing-test');
  const local = await freshDeps();
  const store = createObjectStore(
    loadConfig(
      { DAG_OBJECT_STORE: 'gcs', DAG_GCS_BUCKET: 'landing-test', DAG_GCS_PREFIX: 'acme', DAG_GCS_ENDPOINT: gcs.endpoint, GOOGLE_CLOUD_PROJECT: 'test' },
      os.tmpdir(),
    ),
  );
  deps = { ...local, store };
});
afterAll(async () => {
  await deps?.warehouse.close();
  await gcs?.stop();
});

const header = 'event_id,client_id,event_type,event_ts\n';
const count = async () => Number((await deps.warehouse.query<{ n: number }>(`select count(*) as n from bronze.events`))[0].n);
async function ingest() {
  const { files } = await listLandingFiles(deps.store, D);
  return Promise.all(files.map((f) => loadBronzeFile(deps, { date: D, source: f.source, key: f.key })));
}

test('two objects that arrive together are both loaded, once, and marked processed', async () => {
  await Promise.all([
    deps.store.put(`landing/${D}/events-part1.csv`, `${header}a1,c,page_view,2026-11-01T10:00:00Z\na2,c,page_view,2026-11-01T10:01:00Z\n`),
    deps.store.put(`landing/${D}/events-part2.csv`, `${header}b1,d,page_view,2026-11-01T11:00:00Z\n`),
  ]);
  const first = await ingest();
  expect(first.map((r) => [r.key, r.status, r.rowsLoaded]).sort()).toEqual([
    [`landing/${D}/events-part1.csv`, 'loaded', 2],
    [`landing/${D}/events-part2.csv`, 'loaded', 1],
  ]);
  expect(await count()).toBe(3);
  expect((await deps.store.list(`landing/${D}/_processed/`)).map((o) => o.key)).toEqual([
    `landing/${D}/_processed/events-part1.csv.json`,
    `landing/${D}/_processed/events-part2.csv.json`,
  ]);
  const audit = await deps.warehouse.query<{ g: string }>(`select source_generation as g from ops.load_audit where source_key = $k`, {
    k: `landing/${D}/events-part1.csv`,
  });
  expect(audit[0].g).toBe((await deps.store.stat(`landing/${D}/events-part1.csv`)).generation);
});

test('the next poll skips processed generations, picks up a late object and a rewritten one', async () => {
  await deps.store.put(`landing/${D}/events-part3.csv`, `${header}c1,e,page_view,2026-11-01T12:00:00Z\n`);
  await deps.store.put(`landing/${D}/events-part2.csv`, `${header}b1,d,page_view,2026-11-01T11:00:00Z\nb2,d,checkout,2026-11-01T11:05:00Z\n`);
  const second = await ingest();
  expect(second.map((r) => [r.key.split('/').pop(), r.status]).sort()).toEqual([
    ['events-part1.csv', 'skipped_same_generation'],
    ['events-part2.csv', 'replaced'],
    ['events-part3.csv', 'loaded'],
  ]);
  // part2's rows were replaced, not appended: 2 + 2 + 1.
  expect(await count()).toBe(5);
});

test('an identical re-upload (new generation) is recognised from the listed MD5 without downloading it; changed bytes are downloaded', async () => {
  const proxy = await recordingProxy(gcs.endpoint);
  try {
    const store = createObjectStore(
      loadConfig(
        { DAG_OBJECT_STORE: 'gcs', DAG_GCS_BUCKET: 'landing-test', DAG_GCS_PREFIX: 'acme', DAG_GCS_ENDPOINT: proxy.endpoint, GOOGLE_CLOUD_PROJECT: 'test' },
        os.tmpdir(),
      ),
    );
    const viaProxy = { ...deps, store };
    const key = `landing/${D}/events-md5.csv`;
    const bytes = `${header}m1,e,page_view,2026-11-01T12:00:00Z\n`;
    await store.put(key, bytes);
    const first = await store.stat(key);
    expect((await loadBronzeFile(viaProxy, { date: D, source: 'events', key })).status).toBe('loaded');
    await store.put(key, bytes);
    expect((await store.stat(key)).generation).not.toBe(first.generation);
    proxy.requests.length = 0;
    const again = await loadBronzeFile(viaProxy, { date: D, source: 'events', key });
    expect(again).toMatchObject({ status: 'skipped_same_checksum' });
    expect(again.message).toContain('not downloaded');
    expect(proxy.requests.filter((r) => r.includes('alt=media'))).toEqual([]);
    const [audit] = await deps.warehouse.query<{ status: string; g: string }>(
      `select status, source_generation as g from ops.load_audit where source_key = $k order by loaded_at desc limit 1`,
      { k: key },
    );
    expect(audit).toEqual({ status: 'skipped_same_checksum', g: (await store.stat(key)).generation });
    await store.put(key, `${bytes}m2,e,checkout,2026-11-01T12:05:00Z\n`);
    proxy.requests.length = 0;
    expect((await loadBronzeFile(viaProxy, { date: D, source: 'events', key })).status).toBe('replaced');
    expect(proxy.requests.filter((r) => r.includes('alt=media'))).toHaveLength(1);
  } finally {
    await proxy.close();
  }
});

/** A loopback HTTP proxy in front of fake-gcs-server that records every request line (to count downloads). */
async function recordingProxy(target: string): Promise<{ endpoint: string; requests: string[]; close: () => Promise<void> }> {
  const requests: string[] = [];
  const server = http.createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    const upstream = http.request(`${target}${req.url}`, { method: req.method, headers: req.headers }, (r) => {
      res.writeHead(r.statusCode ?? 502, r.headers);
      r.pipe(res);
    });
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { endpoint: `http://127.0.0.1:${port}`, requests, close: () => new Promise((resolve) => server.close(() => resolve())) };
}
