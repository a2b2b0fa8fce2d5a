import { openDeps } from '../../lib/open-deps';
import type { ActivityDeps } from '../../lib/deps';
import { generateDemoData } from '../../activities/generate/generate-demo-data';
import { listLandingFiles } from '../../activities/ingest/landing';
import { loadBronzeFile } from '../../activities/ingest/load-bronze';
import { QUARANTINED_BY_CONTRACT } from '../../generator/anomalies';
import type { GenerateManifest } from '../../generator/demo-data';
import { testConfig } from '../support/temporal';

const DATE = '2026-11-01';
let deps: ActivityDeps;
let manifest: GenerateManifest;

beforeAll(async () => {
  deps = await openDeps(await testConfig());
  manifest = await generateDemoData(deps, { date: DATE, rows: 20_000, seed: 11, anomalies: true });
});
afterAll(async () => deps.warehouse.close());

async function loadAll() {
  const { files } = await listLandingFiles(deps.store, DATE);
  return Promise.all(files.map((f) => loadBronzeFile(deps, { date: DATE, source: f.source, key: f.key })));
}

const count = async (sql: string, params = {}) => Number((await deps.warehouse.query<{ n: number }>(sql, params))[0].n);

test('every planted anomaly is quarantined or loaded exactly as the contract says', async () => {
  const results = await loadAll();
  for (const file of manifest.files) {
    const r = results.find((x) => x.source === file.source)!;
    const expectedQuarantined = QUARANTINED_BY_CONTRACT[file.source].reduce((s, k) => s + manifest.anomalies[k], 0);
    expect({ source: file.source, status: r.status, read: r.rowsRead, quarantined: r.rowsQuarantined, loaded: r.rowsLoaded }).toEqual({
      source: file.source,
      status: 'loaded',
      read: file.rows,
      quarantined: expectedQuarantined,
      loaded: file.rows - expectedQuarantined,
    });
  }
  // Each kind is recognisable by its reason, with the exact planted count.
  const reasons = async (like: string) => count(`select count(*) as n from ops.quarantine where reasons like $like`, { like });
  expect(await reasons('client_id: missing%')).toBe(manifest.anomalies.missing_client_id);
  expect(await reasons('%event_ts: not a valid timestamp%')).toBe(manifest.anomalies.invalid_timestamp);
  expect(await reasons('%event_data: not valid JSON%')).toBe(manifest.anomalies.malformed_json);
  expect(await reasons('%event_type: not one of%')).toBe(manifest.anomalies.event_type_wrong_type);
  expect(await reasons('%revenue: not a valid double%')).toBe(manifest.anomalies.revenue_wrong_type);
  // Business-rule anomalies reach bronze on purpose (quality checks catch them after silver).
  expect(await count(`select count(*) - count(distinct event_id) as n from bronze.events`)).toBe(manifest.anomalies.duplicate_event);
  expect(await count(`select count(*) as n from bronze.orders where revenue < 0`)).toBe(manifest.anomalies.negative_revenue);
  expect(await count(`select count(*) as n from bronze.events where event_ts > timestamp '2027-01-01'`)).toBe(manifest.anomalies.future_timestamp);
  for (const k of Object.keys(manifest.anomalies)) expect(manifest.anomalies[k as keyof typeof manifest.anomalies]).toBeGreaterThan(0);
});

test('quarantine rows keep file, line and the raw record', async () => {
  const [row] = await deps.warehouse.query<{ source_key: string; line: number; raw_record: string }>(
    `select source_key, line, raw_record from ops.quarantine where reasons like 'client_id: missing%' order by line limit 1`,
  );
  expect(row.source_key).toBe(`landing/${DATE}/events.csv`);
  expect(row.line).toBeGreaterThan(1);
  expect(JSON.parse(row.raw_record)).toMatchObject({ client_id: null, event_type: 'page_view' });
});

test('re-running the same objects skips them by generation (no download) and keeps counts identical', async () => {
  const before = await count(`select count(*) as n from bronze.events`);
  const results = await loadAll();
  expect(results.map((r) => r.status)).toEqual(results.map(() => 'skipped_same_generation'));
  expect(await count(`select count(*) as n from bronze.events`)).toBe(before);
  expect(await count(`select count(*) as n from ops.load_audit where status = 'loaded'`)).toBe(manifest.files.length); // one per delivered object (fx_rates too)
  const marker = JSON.parse((await deps.store.get(`landing/${DATE}/_processed/events.csv.json`)).toString());
  expect(marker).toMatchObject({ key: `landing/${DATE}/events.csv`, rowsRead: manifest.files[0].rows });
});

test('an object rewritten with the same bytes (new generation) is recognised by its checksum', async () => {
  const key = `landing/${DATE}/orders.ndjson`;
  await deps.store.put(key, await deps.store.get(key));
  const r = await loadBronzeFile(deps, { date: DATE, source: 'orders', key });
  expect(r.status).toBe('skipped_same_checksum');
});

test('a changed file replaces its own rows for the partition instead of appending', async () => {
  const key = `landing/${DATE}/events.csv`;
  const text = (await deps.store.get(key)).toString('utf8');
  const lines = text.trimEnd().split('\n');
  await deps.store.put(key, lines.slice(0, 101).join('\n') + '\n'); // header + 100 rows
  const r = await loadBronzeFile(deps, { date: DATE, source: 'events', key });
  expect(r.status).toBe('replaced');
  expect(r.rowsRead).toBe(100);
  expect(await count(`select count(*) as n from bronze.events where _partition_date = date '${DATE}'`)).toBe(r.rowsLoaded);
  expect(await count(`select count(*) as n from ops.quarantine where source = 'events'`)).toBe(r.rowsQuarantined);
});

test('the same file dropped into another date is refused as a duplicate', async () => {
  const bytes = await deps.store.get(`landing/${DATE}/orders.ndjson`);
  await deps.store.put('landing/2026-11-02/orders.ndjson', bytes);
  const r = await loadBronzeFile(deps, { date: '2026-11-02', source: 'orders', key: 'landing/2026-11-02/orders.ndjson' });
  expect(r.status).toBe('duplicate_file');
  expect(r.message).toContain(`landing/${DATE}/orders.ndjson`);
  expect(await count(`select count(*) as n from bronze.orders where _partition_date = date '2026-11-02'`)).toBe(0);
});

test('a truncated gzip file fails its load clearly, is itself quarantined, and loads nothing', async () => {
  const key = 'landing/2026-11-04/customers.csv.gz';
  const good = await deps.store.get(`landing/${DATE}/customers.csv.gz`);
  await deps.store.put(key, good.subarray(0, Math.floor(good.length / 2)));
  const r = await loadBronzeFile(deps, { date: '2026-11-04', source: 'customers', key });
  expect(r).toMatchObject({ status: 'failed', rowsLoaded: 0, message: 'unreadable csv.gz file: truncated or corrupt gzip: unexpected end of file' });
  expect(await count(`select count(*) as n from bronze.customers where _partition_date = date '2026-11-04'`)).toBe(0);
  expect(await count(`select count(*) as n from ops.quarantine where source_key = $k and line is null and reasons like 'unreadable%'`, { k: key })).toBe(1);
});
