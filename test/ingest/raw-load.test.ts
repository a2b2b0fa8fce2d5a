import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { DuckDbWarehouse } from '../../adapters/warehouse/duckdb/duckdb-warehouse';
import { tempDataDir } from '../support/temporal';
import { inspectFile } from '../../activities/ingest/checksum';
import { findUnbalancedQuoteLines } from '../../adapters/warehouse/duckdb/csv-quote-scan';

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
  expect(r).toMatchObject({ rows: 8, fileColumns: ['a', 'b', 'c', 'zz'] });
  const rows = await read();
  expect(rows.map((x) => [x.a, x._line])).toEqual([
    ['1', 2],
    ['2', 3],
    [null, 4],
    [null, 5],
    ['6', 6],
    ['7', 7],
    [null, 8],
    ['9', 9],
  ]);
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
  const r = await wh.loadRawFile(
    'staging.raw',
    { path: file('x.ndjson', '{"a":"1","b":2}\n{"a": broken\n\n[1,2]\n{"a":"3","zz":true}\n'), format: 'ndjson', compression: 'none' },
    ['a', 'b'],
  );
  expect(r.rows).toBe(4);
  expect(r.fileColumns.sort()).toEqual(['a', 'b', 'zz']);
  expect((await read()).map((x) => [x.a, x._line, x._error])).toEqual([
    ['1', 1, null],
    [null, 2, 'not valid JSON'],
    [null, 4, 'not valid JSON'],
    ['3', 5, null],
  ]);
});

test('zero-byte and header-only files load as empty tables', async () => {
  expect(await wh.loadRawFile('staging.raw', { path: file('empty.csv', ''), format: 'csv', compression: 'none' }, ['a'])).toEqual({ rows: 0, fileColumns: [] });
  expect(await wh.loadRawFile('staging.raw', { path: file('header.csv', 'a,b\n'), format: 'csv', compression: 'none' }, ['a'])).toMatchObject({
    rows: 0,
    fileColumns: ['a', 'b'],
  });
});

test('column names from a file never reach SQL: hostile header names are just unknown columns', async () => {
  const r = await wh.loadRawFile('staging.raw', { path: file('evil.csv', `a,"x'); drop table staging.raw; --"\n1,2\n`), format: 'csv', compression: 'none' }, [
    'a',
  ]);
  expect(r.fileColumns).toEqual(['a', "x'); drop table staging.raw; --"]);
  expect(await read()).toEqual([{ a: '1', _line: 2, _error: null }]);
});

describe('unbalanced quotes', () => {
  const UNBALANCED = 'UNBALANCED QUOTE: a quote opened on this line is not closed on it; the lines after it were read on their own';
  const rows = () =>
    wh.query<{ a: string | null; _line: number; _error: string | null; _raw: string | null }>('select a, _line, _error, _raw from staging.raw order by _line');
  const csv = (lines: string[], eol = '\n') => lines.join(eol) + eol;

  test.each(['none', 'gzip'] as const)(
    'a quote never closed (compression %s): only its line is quarantined, every valid line after it is loaded on its own line',
    async (compression) => {
      // Line 5 opens a quote that nothing closes: DuckDB alone swallows lines 5-12 into one rejected record.
      const body = csv(['a,b,c', '1,x,y', '2,x,y', '3,x,y', '4,"2026-11-01T00:00:00Z,y', '5,x,y', '6,x,y', '7,x,y', '8,x,y', '9,x,y', '10,x,y', '11,x,y']);
      const p = file(`never-closed.csv${compression === 'gzip' ? '.gz' : ''}`, compression === 'gzip' ? zlib.gzipSync(body) : body);
      expect(await wh.loadRawFile('staging.raw', { path: p, format: 'csv', compression }, ['a', 'b'])).toMatchObject({
        rows: 11,
        fileColumns: ['a', 'b', 'c'],
      });
      const got = await rows();
      expect(got.map((r) => [r.a, Number(r._line)])).toEqual([
        ['1', 2],
        ['2', 3],
        ['3', 4],
        [null, 5],
        ['5', 6],
        ['6', 7],
        ['7', 8],
        ['8', 9],
        ['9', 10],
        ['10', 11],
        ['11', 12],
      ]);
      expect(got.filter((r) => r._error !== null)).toEqual([{ a: null, _line: 5, _error: UNBALANCED, _raw: '4,"2026-11-01T00:00:00Z,y' }]);
    },
  );

  test('quotes closed later by a quoted value, in a CRLF file: each bad line alone is quarantined, other rejects stay as they were', async () => {
    // The quote opened on line 3 is closed by the first quote of line 4's JSON; the one on line 6 runs to the end.
    const body = csv(['a,b,c', '1,x,y', '2,"x,y', '3,x,"{""k"": 1}"', '4,x,y', '5,x,"y', '6,x,y,extra', '7,x,y'], '\r\n');
    expect((await wh.loadRawFile('staging.raw', { path: file('closed-later.csv', body), format: 'csv', compression: 'none' }, ['a', 'c'])).rows).toBe(7);
    expect((await rows()).map((r) => [r.a, Number(r._line), r._error, r._raw])).toEqual([
      ['1', 2, null, null],
      [null, 3, UNBALANCED, '2,"x,y'],
      ['3', 4, null, null],
      ['4', 5, null, null],
      [null, 6, UNBALANCED, '5,x,"y'],
      [null, 7, 'TOO MANY COLUMNS: Expected Number of Columns: 3 Found: 4', '6,x,y,extra'],
      ['7', 8, null, null],
    ]);
    expect(await wh.query(`select c from staging.raw where a = '3'`)).toEqual([{ c: '{"k": 1}' }]);
  });

  test('a large file (parallel read): two unbalanced quotes cost two lines, not the rest of the file', async () => {
    const n = 200_000;
    const lines = [
      'a,b,c',
      ...Array.from({ length: n }, (_, i) => (i + 1 === 4 || i + 1 === 150_000 ? `${i + 1},"x${'-'.repeat(30)},y` : `${i + 1},x${'-'.repeat(30)},y`)),
    ];
    expect((await wh.loadRawFile('staging.raw', { path: file('large.csv', csv(lines)), format: 'csv', compression: 'none' }, ['a'])).rows).toBe(n);
    const [s] = await wh.query(
      `select count(*)::integer as n, count(distinct _line)::integer as lines, count(*) filter (where a::integer + 1 = _line)::integer as on_their_line, list(_line order by _line) filter (where _error is not null) as bad from staging.raw`,
    );
    expect(s).toEqual({ n, lines: n, on_their_line: n - 2, bad: [5, 150_001] });
  });

  test('a stray quote that a later one closes cleanly is valid CSV: the lines between stay inside that value, none is dropped', async () => {
    // RFC 4180 cannot tell this from a genuine multi-line value; the contract checks see the row (see duckdb-csv-rejects.ts).
    const body = csv(['a,b,c', '1,x,y', '2,"x,y', '3,x,y', '4,x",y', '5,x,y']);
    expect((await wh.loadRawFile('staging.raw', { path: file('closed-cleanly.csv', body), format: 'csv', compression: 'none' }, ['a', 'b', 'c'])).rows).toBe(3);
    expect(await wh.query('select a, b, c, _line, _error from staging.raw order by _line')).toEqual([
      { a: '1', b: 'x', c: 'y', _line: 2, _error: null },
      { a: '2', b: 'x,y\n3,x,y\n4,x', c: 'y', _line: 3, _error: null },
      { a: '5', b: 'x', c: 'y', _line: 4, _error: null },
    ]);
  });

  test('a header with an unbalanced quote fails the file (DuckDB would skip everything as the header and load nothing)', async () => {
    await expect(wh.loadRawFile('staging.raw', { path: file('bad-header.csv', 'a,"b,c\n1,x,y\n'), format: 'csv', compression: 'none' }, ['a'])).rejects.toThrow(
      'the header line has an unbalanced quote',
    );
  });

  test('the scan finds the lines DuckDB would read past (not a valid multi-line value, a blank line or junk within one line), numbered as DuckDB counts: records and blank lines', async () => {
    const body = 'a,b\r\n1,"two\r\nlines"\r\n\r\n2,"ab"c\r\n3,"open\r\n4,y\r\n5,"x\r\n';
    const bad = await findUnbalancedQuoteLines(file('scan.csv', body), 2);
    expect(bad.map((b) => ({ line: b.line, text: body.slice(b.start, b.end) }))).toEqual([
      { line: 5, text: '3,"open' },
      { line: 7, text: '5,"x' },
    ]);
  });
});
