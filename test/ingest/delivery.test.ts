import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import type { LocalObjectStore } from '../../adapters/object-store/local/local-object-store';
import { describeBronzePartition, reconcileLanding } from '../../activities/ingest/delivery';
import { loadBronzeFile, processedMarkerKey } from '../../activities/ingest/load-bronze';
import { runChecks } from '../../activities/quality/run-checks';
import { buildModel } from '../../activities/transform/build-model';
import type { ActivityDeps } from '../../lib/deps';
import { freshDeps } from '../support/fixtures';

/**
 * The delivery rule and the landing decisions at the activity level (README "The current
 * delivery"): every policy here is one a history test also exercises end to end; these pin
 * each boundary on its own.
 */
let deps: ActivityDeps;
let root: string;
beforeEach(async () => {
  deps = await freshDeps();
  root = (deps.store as LocalObjectStore).root;
});
afterEach(async () => deps.warehouse.close());

const D1 = '2026-05-01';
const D2 = '2026-05-02';
const HEADER = 'event_id,client_id,event_type,event_ts\n';
const events = (date: string, ids: string[]) => HEADER + ids.map((id) => `${id},c1,page_view,${date}T10:00:00Z\n`).join('');
const key = (date: string, name: string) => `landing/${date}/${name}`;

/** A run of the partition as the nightly does it: reconcile, then load every listed object. */
async function run(date: string, retract?: 'all' | string[]) {
  const plan = await reconcileLanding(deps, { date, ...(retract ? { retract } : {}) });
  const loads = [];
  for (const f of plan.files) loads.push(await loadBronzeFile(deps, { date, source: f.source, key: f.key })); // in order: audit rows sort by time
  return { plan, loads, status: Object.fromEntries(loads.map((l) => [l.key.split('/').pop()!, l.status])) };
}
const bronze = async (date: string) =>
  (
    await deps.warehouse.query<{ k: string; n: number }>(
      `select _source_key as k, count(*) as n from bronze.events where _partition_date = cast($d as date) group by 1 order by 1`,
      { d: date },
    )
  ).map((r) => [r.k.split('/').pop(), Number(r.n)]);
const audit = async (date: string) =>
  (
    await deps.warehouse.query<{ k: string; status: string; rows_loaded: number }>(
      `select source_key as k, status, rows_loaded from ops.load_audit where partition_date = cast($d as date) order by loaded_at, source_key`,
      { d: date },
    )
  ).map((r) => [r.k.split('/').pop(), r.status, Number(r.rows_loaded)]);

test('restored bytes (A → B → A) load again: only the latest load of the object counts', async () => {
  const k = key(D1, 'events.csv');
  await deps.store.put(k, events(D1, ['a1', 'a2']));
  expect((await run(D1)).status).toEqual({ 'events.csv': 'loaded' });
  await deps.store.put(k, events(D1, ['b1', 'b2', 'b3']));
  expect((await run(D1)).status).toEqual({ 'events.csv': 'replaced' });
  await deps.store.put(k, events(D1, ['a1', 'a2']));
  expect((await run(D1)).status).toEqual({ 'events.csv': 'replaced' });
  expect(await bronze(D1)).toEqual([['events.csv', 2]]);
});

test('every decision is one audit row: the same generation and the same bytes re-uploaded are skipped, and say so', async () => {
  const k = key(D1, 'events.csv');
  await deps.store.put(k, events(D1, ['a1']));
  await run(D1);
  expect((await run(D1)).status).toEqual({ 'events.csv': 'skipped_same_generation' });
  await deps.store.put(k, events(D1, ['a1'])); // identical bytes, new generation
  expect((await run(D1)).status).toEqual({ 'events.csv': 'skipped_same_checksum' });
  expect(await audit(D1)).toEqual([
    ['events.csv', 'loaded', 1],
    ['events.csv', 'skipped_same_generation', 0],
    ['events.csv', 'skipped_same_checksum', 0],
  ]);
  expect(await bronze(D1)).toEqual([['events.csv', 1]]);
});

test('a withdrawn object is retracted with an audit row; a renamed one keeps the day once', async () => {
  await deps.store.put(key(D1, 'events.csv'), events(D1, ['a1', 'a2']));
  await deps.store.put(key(D1, 'events-2.csv'), events(D1, ['c1']));
  await run(D1);
  // Renamed (same bytes, new name) and the other object withdrawn.
  fs.renameSync(path.join(root, key(D1, 'events.csv')), path.join(root, key(D1, 'events-v2.csv')));
  await deps.store.delete(key(D1, 'events-2.csv'));
  const { plan, status } = await run(D1);
  expect(plan.retracted).toEqual([
    { key: key(D1, 'events-2.csv'), rows: 1 },
    { key: key(D1, 'events.csv'), rows: 2 },
  ]);
  expect(status).toEqual({ 'events-v2.csv': 'loaded' });
  expect(await bronze(D1)).toEqual([['events-v2.csv', 2]]);
  expect((await audit(D1)).filter(([, s]) => s === 'retracted')).toEqual([
    ['events-2.csv', 'retracted', 1],
    ['events.csv', 'retracted', 2],
  ]);
});

test('an object back under its name with its old generation after a withdrawal loads again (the generation skip reads the latest status)', async () => {
  const k = key(D1, 'events.csv');
  await deps.store.put(k, events(D1, ['a1', 'a2']));
  await deps.store.put(key(D1, 'events-2.csv'), events(D1, ['z1']));
  await run(D1);
  const file = path.join(root, k);
  fs.renameSync(file, `${file}.away`); // moved out and back: same inode, mtime and size
  await run(D1);
  expect(await bronze(D1)).toEqual([['events-2.csv', 1]]);
  fs.renameSync(`${file}.away`, file);
  expect((await run(D1)).status).toEqual({ 'events-2.csv': 'skipped_same_generation', 'events.csv': 'loaded' });
  expect(await bronze(D1)).toEqual([
    ['events-2.csv', 1],
    ['events.csv', 2],
  ]);
});

test('an empty folder keeps bronze (archived / lifecycle); an explicit retraction withdraws the day', async () => {
  await deps.store.put(key(D1, 'events.csv'), events(D1, ['a1', 'a2']));
  await deps.store.put(key(D1, 'events-2.csv'), events(D1, ['c1']));
  await run(D1);
  await deps.store.delete(key(D1, 'events.csv'));
  await deps.store.delete(key(D1, 'events-2.csv'));
  const kept = await run(D1);
  expect(kept.plan.retracted).toEqual([]);
  expect(kept.plan.kept?.message).toBe(
    `landing/${D1}/ is empty: bronze kept as loaded (3 rows from 2 objects) — archived or deleted by a lifecycle rule? withdraw the day explicitly with \`dag landing retract ${D1}\``,
  );
  expect(await bronze(D1)).toEqual([
    ['events-2.csv', 1],
    ['events.csv', 2],
  ]);
  await expect(reconcileLanding(deps, { date: D1, retract: [key(D1, 'nope.csv')] })).rejects.toThrow(
    `landing/${D1}/nope.csv holds nothing in bronze for ${D1}: nothing to retract`,
  );
  const one = await run(D1, [key(D1, 'events-2.csv')]);
  expect(one.plan.retracted).toEqual([{ key: key(D1, 'events-2.csv'), rows: 1 }]);
  expect(one.plan.kept?.objects).toBe(1);
  const all = await run(D1, 'all');
  expect(all.plan.retracted).toEqual([{ key: key(D1, 'events.csv'), rows: 2 }]);
  expect(all.plan.kept).toBeUndefined();
  expect(await bronze(D1)).toEqual([]);
  expect((await audit(D1)).map(([k, s]) => `${k} ${s}`)).toEqual([
    'events-2.csv loaded',
    'events.csv loaded',
    'events-2.csv kept_unlisted',
    'events.csv kept_unlisted',
    'events-2.csv retracted',
    'events.csv kept_unlisted',
    'events.csv retracted',
  ]);
});

test('retracting an object still in the landing folder is refused (the next run would load it again)', async () => {
  await deps.store.put(key(D1, 'events.csv'), events(D1, ['a1']));
  await run(D1);
  await expect(reconcileLanding(deps, { date: D1, retract: [key(D1, 'events.csv')] })).rejects.toThrow(
    `landing/${D1}/events.csv is still in the landing folder: delete it first, or the next run loads it again`,
  );
});

test('the same bytes with rows under another date are a duplicate and hold no rows; empty and header-only files never are', async () => {
  const bytes = events(D1, ['a1', 'a2']);
  await deps.store.put(key(D1, 'events.csv'), bytes);
  await deps.store.put(key(D1, 'events-empty.csv'), '');
  await deps.store.put(key(D1, 'events-header.csv'), HEADER);
  await run(D1);
  await deps.store.put(key(D2, 'events.csv'), events(D2, ['x1']));
  await deps.store.put(key(D2, 'events-empty.csv'), '');
  await deps.store.put(key(D2, 'events-header.csv'), HEADER);
  await deps.store.put(key(D2, 'events-copy.csv'), events(D2, ['x1'])); // a copy within one date: both load
  expect((await run(D2)).status).toEqual({ 'events.csv': 'loaded', 'events-empty.csv': 'loaded', 'events-header.csv': 'loaded', 'events-copy.csv': 'loaded' });
  // D2's events.csv replaced by D1's bytes: a duplicate, and its earlier rows leave bronze.
  await deps.store.put(key(D2, 'events.csv'), bytes);
  const dup = await run(D2);
  expect(dup.status['events.csv']).toBe('duplicate_file');
  expect(dup.loads.find((l) => l.status === 'duplicate_file')!.message).toBe(`identical to landing/${D1}/events.csv loaded for ${D1}`);
  expect(await bronze(D2)).toEqual([['events-copy.csv', 1]]);
  // Once D1's object is withdrawn, the same bytes are D2's own.
  await deps.store.delete(key(D1, 'events.csv'));
  await run(D1);
  expect((await run(D2)).status['events.csv']).toBe('loaded');
  expect(await bronze(D2)).toEqual([
    ['events-copy.csv', 1],
    ['events.csv', 2],
  ]);
});

test('an unreadable object fails, its earlier rows leave bronze, and files_failed blocks naming it', async () => {
  const k = key(D1, 'events-2.csv.gz');
  await deps.store.put(key(D1, 'events.csv'), events(D1, ['a1']));
  await deps.store.put(k, zlib.gzipSync(events(D1, ['g1', 'g2'])));
  await run(D1);
  expect(await bronze(D1)).toEqual([
    ['events-2.csv.gz', 2],
    ['events.csv', 1],
  ]);
  const gz = zlib.gzipSync(events(D1, ['g1', 'g2', 'g3', 'g4']));
  await deps.store.put(k, gz.subarray(0, gz.length - 12));
  expect((await run(D1)).status['events-2.csv.gz']).toBe('failed');
  expect(await bronze(D1)).toEqual([['events.csv', 1]]);
  const held = await describeBronzePartition(deps, { date: D1 });
  expect(held).toMatchObject({
    rows: 1,
    quarantined: 0,
    objects: 2,
    failed: [{ key: k, reason: 'unreadable csv.gz file: truncated or corrupt gzip: unexpected end of file' }],
  });
  for (const model of ['fx_rates', 'events', 'order_items', 'orders', 'sessions', 'customer_snapshots', 'customers'])
    await buildModel(deps, { date: D1, layer: 'silver', model });
  const checks = await runChecks(deps, { date: D1, stage: 'silver', runId: 't' });
  expect(checks.failed).toContain('files_failed');
  expect(checks.results.find((r) => r.check === 'files_failed')).toMatchObject({
    observed: 1,
    sample: `${k} (unreadable csv.gz file: truncated or corrupt gzip: unexpected end of file)`,
  });
  const partial = await runChecks(deps, { date: D1, stage: 'silver', runId: 't2', warnOnly: ['files_failed'] });
  expect(partial.failed).not.toContain('files_failed');
  expect(partial.warnings).toContain('files_failed');
  // Withdrawn, it no longer blocks.
  await deps.store.delete(k);
  await run(D1);
  expect((await describeBronzePartition(deps, { date: D1 })).failed).toEqual([]);
});

test('badly named objects are reported and audited; the others load; a long name gets a safe marker', async () => {
  const dir = path.join(root, 'landing', D1);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'events-new\nline.csv'), events(D1, ['n1']));
  const long = `events-${'x'.repeat(240)}.csv`; // 251 characters: legal, but "<name>.json" is not
  await deps.store.put(key(D1, long), events(D1, ['l1', 'l2']));
  await deps.store.put(key(D1, 'events.csv'), events(D1, ['a1']));
  await deps.store.put(key(D1, 'notes.txt'), 'hello');
  const { plan, status } = await run(D1);
  expect(plan.invalid).toEqual([{ key: `landing/${D1}/events-new\nline.csv`, reason: 'control characters are not allowed' }]);
  expect(plan.ignored).toEqual([key(D1, 'notes.txt')]);
  expect(status).toEqual({ [long]: 'loaded', 'events.csv': 'loaded' });
  expect((await audit(D1)).filter(([, s]) => String(s).startsWith('ignored'))).toEqual([
    ['notes.txt', 'ignored_unknown_source', 0],
    ['events-new\nline.csv', 'ignored_invalid_name', 0],
  ]);
  expect(processedMarkerKey(key(D1, long))).toMatch(new RegExp(`^landing/${D1}/_processed/sha256-[0-9a-f]{64}\\.json$`));
  expect(JSON.parse((await deps.store.get(processedMarkerKey(key(D1, long)))).toString())).toMatchObject({ key: key(D1, long), rowsLoaded: 2 });
});

test('a marker that cannot be written never fails the load: rows and audit row are committed together', async () => {
  const k = key(D1, 'events.csv');
  fs.mkdirSync(path.join(root, processedMarkerKey(k)), { recursive: true }); // a folder where the marker file goes
  await deps.store.put(k, events(D1, ['a1', 'a2']));
  expect((await run(D1)).status).toEqual({ 'events.csv': 'loaded' });
  expect(await bronze(D1)).toEqual([['events.csv', 2]]);
  expect(await audit(D1)).toEqual([['events.csv', 'loaded', 2]]);
});

test('an object deleted after the listing and before its load is retracted by the load, not failed', async () => {
  const k = key(D1, 'events-2.csv');
  await deps.store.put(key(D1, 'events.csv'), events(D1, ['a1']));
  await deps.store.put(k, events(D1, ['b1', 'b2']));
  await run(D1);
  await deps.store.put(k, events(D1, ['b1', 'b2', 'b3']));
  const plan = await reconcileLanding(deps, { date: D1 });
  await deps.store.delete(k);
  const r = await loadBronzeFile(deps, { date: D1, source: 'events', key: plan.files.find((f) => f.key === k)!.key });
  expect(r).toMatchObject({ status: 'retracted', message: 'gone from the landing folder while the run was loading it (2 rows removed)' });
  expect(await bronze(D1)).toEqual([['events.csv', 1]]);
});
