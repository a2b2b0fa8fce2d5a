import * as fs from 'node:fs';
import { Readable } from 'node:stream';
import { InvalidObjectKeyError, ObjectNotFoundError, type ObjectStore } from '../../adapters/object-store';
import { randomBody, sha256Of } from './large-object';
import { selectedStoreKinds, startStore, type StoreFixture } from './store-fixtures';

// One contract, every backend: DAG_TEST_OBJECT_STORES=local,gcs (default both).
const LARGE_MB = Number(process.env.DAG_TEST_LARGE_OBJECT_MB ?? 50);

const BAD_KEYS = ['../x', 'a/../../b', '..', './a', '/etc/passwd', '/abs/key', 'C:/windows', 'a\\b', '..\\..\\x', '', 'a//b', 'tab\there'];

describe.each(selectedStoreKinds())('ObjectStore contract: %s', (kind) => {
  let fx: StoreFixture;
  let store: ObjectStore;
  beforeAll(async () => {
    fx = await startStore(kind);
    store = fx.store;
  });
  afterAll(async () => fx?.stop());

  test('put, get, exists, stat and delete round-trip one object', async () => {
    await store.put('reports/summary.json', '{"rows":3}');
    expect((await store.get('reports/summary.json')).toString()).toBe('{"rows":3}');
    expect(await store.exists('reports/summary.json')).toBe(true);
    const info = await store.stat('reports/summary.json');
    expect(info).toMatchObject({ key: 'reports/summary.json', size: 10 });
    expect(Date.parse(info.updatedAt)).toBeGreaterThan(Date.now() - 60_000);

    await store.delete('reports/summary.json');
    expect(await store.exists('reports/summary.json')).toBe(false);
    await expect(store.get('reports/summary.json')).rejects.toBeInstanceOf(ObjectNotFoundError);
    await expect(store.delete('reports/summary.json')).resolves.toBeUndefined(); // deleting twice is harmless
  });

  test('a missing key is ObjectNotFoundError from get, stat, getStream and localCopy', async () => {
    await expect(store.get('nope/missing.csv')).rejects.toBeInstanceOf(ObjectNotFoundError);
    await expect(store.stat('nope/missing.csv')).rejects.toBeInstanceOf(ObjectNotFoundError);
    await expect(sha256Of(store.getStream('nope/missing.csv'))).rejects.toBeInstanceOf(ObjectNotFoundError);
    await expect(store.localCopy('nope/missing.csv')).rejects.toBeInstanceOf(ObjectNotFoundError);
    expect(await store.exists('nope/missing.csv')).toBe(false);
  });

  test('list returns the objects under a prefix, sorted by key, with their stat', async () => {
    for (const key of ['list/b.csv', 'list/a.csv', 'list/sub/c.csv', 'listing/x.csv', 'lis.csv']) await store.put(key, key);
    const listed = await store.list('list/');
    expect(listed.map((o) => o.key)).toEqual(['list/a.csv', 'list/b.csv', 'list/sub/c.csv']);
    expect(listed[0]).toEqual(await store.stat('list/a.csv'));
    expect((await store.list('list')).map((o) => o.key)).toEqual(['list/a.csv', 'list/b.csv', 'list/sub/c.csv', 'listing/x.csv']);
    expect(await store.list('never-written/')).toEqual([]);
  });

  test('keys with spaces and unicode keep their exact bytes and names', async () => {
    const key = 'landing/2026-11-01/spend report (final) é 日本 🚀.csv';
    await store.put(key, 'date,spend\n2026-11-01,12.5\n');
    expect((await store.get(key)).toString()).toBe('date,spend\n2026-11-01,12.5\n');
    expect((await store.list('landing/2026-11-01/')).map((o) => o.key)).toEqual([key]);
    expect(store.uri(key)).toBe(fx.expectedUri(key));
  });

  test('path traversal, absolute keys, backslashes and empty segments are rejected by every method', async () => {
    for (const bad of BAD_KEYS) {
      const calls = [
        () => store.put(bad, 'x'),
        () => store.putStream(bad, Readable.from(['x'])),
        () => store.get(bad),
        () => store.stat(bad),
        () => store.exists(bad),
        () => store.delete(bad),
        () => store.localCopy(bad),
      ];
      for (const call of calls) await expect(call()).rejects.toBeInstanceOf(InvalidObjectKeyError);
      expect(() => store.getStream(bad)).toThrow(InvalidObjectKeyError);
      expect(() => store.uri(bad)).toThrow(InvalidObjectKeyError);
    }
    await expect(store.list('../')).rejects.toBeInstanceOf(InvalidObjectKeyError);
    await expect(store.list('/')).rejects.toBeInstanceOf(InvalidObjectKeyError);
  });

  test('a store never reaches objects outside its root or prefix', async () => {
    await fx.sibling.put('secret.txt', 'tenant-ab only');
    await expect(store.get('../tenant-ab/secret.txt')).rejects.toBeInstanceOf(InvalidObjectKeyError);
    await expect(store.delete('../tenant-ab/secret.txt')).rejects.toBeInstanceOf(InvalidObjectKeyError);
    expect(await store.exists('secret.txt')).toBe(false);
    expect(await store.exists('b/secret.txt')).toBe(false); // "tenant-a" + "b/secret.txt" without the "/"
    expect((await store.list('')).map((o) => o.key)).not.toContainEqual(expect.stringContaining('secret'));
    expect(await fx.sibling.get('secret.txt')).toEqual(Buffer.from('tenant-ab only'));
  });

  test('the generation changes when an object is rewritten, even with the same bytes', async () => {
    await store.put('gen/model.json', 'v1');
    const first = (await store.stat('gen/model.json')).generation;
    await store.put('gen/model.json', 'v1');
    const second = (await store.stat('gen/model.json')).generation;
    expect(first).toEqual(expect.any(String));
    expect(second).not.toBe(first);
    expect((await store.list('gen/'))[0].generation).toBe(second);
  });

  test('concurrent writes to one key all succeed and leave one whole body', async () => {
    const bodies = Array.from({ length: 8 }, (_, i) => `writer ${i} `.repeat(1000));
    await Promise.all(bodies.map((b) => store.put('race/same.txt', b)));
    expect(bodies).toContain((await store.get('race/same.txt')).toString());
    expect((await store.list('race/')).map((o) => o.key)).toEqual(['race/same.txt']);
  });

  test('localCopy gives a readable file named like the key; release keeps the object', async () => {
    await store.put('copy/input data.csv', 'a,b\n1,2\n');
    const copy = await store.localCopy('copy/input data.csv');
    try {
      expect(copy.path.endsWith('input data.csv')).toBe(true);
      expect(fs.readFileSync(copy.path, 'utf8')).toBe('a,b\n1,2\n');
    } finally {
      await copy.release();
    }
    if (store.kind !== 'local') expect(fs.existsSync(copy.path)).toBe(false); // remote copies are temp files
    expect(await store.exists('copy/input data.csv')).toBe(true);
  });

  test(`streams a ${LARGE_MB} MB object in and out, byte-for-byte by sha256`, async () => {
    const body = randomBody(LARGE_MB * 1024 * 1024);
    await store.putStream('big/blob.bin', body.stream);
    const written = body.sha256();
    expect((await store.stat('big/blob.bin')).size).toBe(LARGE_MB * 1024 * 1024);
    expect(await sha256Of(store.getStream('big/blob.bin'))).toEqual({ sha256: written, bytes: LARGE_MB * 1024 * 1024 });
    const copy = await store.localCopy('big/blob.bin');
    try {
      expect((await sha256Of(fs.createReadStream(copy.path))).sha256).toBe(written);
    } finally {
      await copy.release();
    }
  });
});
