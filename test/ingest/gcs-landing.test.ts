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
