import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { DuckDbWarehouse } from '../../adapters/warehouse/duckdb/duckdb-warehouse';
import { tempDataDir } from '../support/temporal';
import { inspectFile } from '../../activities/ingest/checksum';

let wh: DuckDbWarehouse;
const dir = tempDataDir('raw-load-');
beforeAll(async () => {
  wh = await DuckDbWarehouse.open({ path: ':memory:' });
});
afterAll(async () => wh.close());

const file = (name: string, body: string | Buffer) => {
  const p = path.join(dir, name);
  fs.writeFileSync(p, body);
  return p;
};
const read = () => wh.query<{ a: string | null; _line: number; _error: string | null }>('select a, _line, _error from staging.raw order by _line');

const MESSY = '\uFEFFa,b,c,zz\n1,x,"ok",q\n2,"has ""quote"", and comma",3,q\n4,y,z,extra,more\n5,w\n6,a,q,q\n7,k,l,q\n8,too,many,c,x\n9,a,b,c\n';

test('malformed CSV lines become rows with the reason and their exact line; good rows keep theirs', async () => {
  const r = await wh.loadRawFile('staging.raw', { path: file('messy.csv', MESSY), format: 'csv', compression: 'none' }, ['a', 'b', 'd']);
  expect(r).toEqual({ rows: 8, fileColumns: ['a', 'b', 'c', 'zz'] });
  const rows = await read();
  expect(rows.map((x) => [x.a, x._line])).toEqual([['1', 2], ['2', 3], [null, 4], [null, 5], ['6', 6], ['7', 7], [null, 8], ['9', 9]]);
  expect(rows[2]._error).toMatch(/^TOO MANY COLUMNS/);
  expect(rows[3]._error).toMatch(/^MISSING COLUMNS/);
  const [quoted] = await wh.query(`select b, d from staging.raw where a = '2'`);
  expect(quoted).toEqual({ b: 'has "quote", and comma', d: null });
});

test('gzip is read like plain text; a truncated gzip is caught by the integrity check (DuckDB would read part of it)', async () => {
  const gz = zlib.gzipSync(Buffer.from(MESSY));
  const r = await wh.loadRawFile('staging.raw', { path: file('messy.csv.gz', gz), format: 'csv', compression: 'gzip' }, ['a']);
  expect(r.rows).toBe(8);
  expect((await inspectFile(file('ok.csv.gz', gz), true)).gzipError).toBeUndefined();
  const truncated = file('cut.csv.gz', gz.subarray(0, Math.floor(gz.length / 2)));
  expect((await inspectFile(truncated, true)).gzipError).toBe('truncated or corrupt gzip: unexpected end of file');
});

test('NDJSON: a broken line is one rejected row, blank lines are skipped, keys are reported', async () => {
  const r = await wh.loadRawFile('staging.raw', { path: file('x.ndjson', '{"a":"1","b":2}\n{"a": broken\n\n[1,2]\n{"a":"3","zz":true}\n'), format: 'ndjson', compression: 'none' }, ['a', 'b']);
  expect(r.rows).toBe(4);
  expect(r.fileColumns.sort()).toEqual(['a', 'b', 'zz']);
  expect((await read()).map((x) => [x.a, x._line, x._error])).toEqual([['1', 1, null], [null, 2, 'not valid JSON'], [null, 4, 'not valid JSON'], ['3', 5, null]]);
});

test('zero-byte and header-only files load as empty tables', async () => {
  expect(await wh.loadRawFile('staging.raw', { path: file('empty.csv', ''), format: 'csv', compression: 'none' }, ['a'])).toEqual({ rows: 0, fileColumns: [] });
  expect(await wh.loadRawFile('staging.raw', { path: file('header.csv', 'a,b\n'), format: 'csv', compression: 'none' }, ['a'])).toEqual({ rows: 0, fileColumns: ['a', 'b'] });
});

test('column names from a file never reach SQL: hostile header names are just unknown columns', async () => {
  const r = await wh.loadRawFile('staging.raw', { path: file('evil.csv', `a,"x'); drop table staging.raw; --"\n1,2\n`), format: 'csv', compression: 'none' }, ['a']);
  expect(r.fileColumns).toEqual(['a', "x'); drop table staging.raw; --"]);
  expect(await read()).toEqual([{ a: '1', _line: 2, _error: null }]);
});
