import fc from 'fast-check';
import { DuckDbWarehouse } from '../../adapters/warehouse/duckdb/duckdb-warehouse';
import { portableRegex } from '../../contracts/regex';
import { renderSql } from '../../lib/sql/render';

/**
 * Contract patterns are JavaScript regexes; the warehouse runs them rewritten into a subset RE2
 * (DuckDB) and POSIX (Snowflake) read alike. The rewrite is checked two ways: what it produces,
 * and — property-based — that DuckDB's verdict on random strings equals RegExp.test's.
 */
test.each([
  [/^cl_\d+$/, '^cl_[0-9]+$'],
  [/^(?:cl|id)_[0-9a-f]{2,}$/i, '^(cl|id)_[0-9a-f]{2,}$'],
  [/^[\w.+-]+@x\.com$/, '^[A-Za-z0-9_.+-]+@x\\.com$'],
  [/a\/b\s?c/, 'a/b[ \t\r\n\f\v]?c'],
  [/[\]\-a^]/, '[]a^-]'],
  [/x+?y*?z??/, 'x+y*z?'],
  [/[^\d]\D/, '[^0-9][^0-9]'],
])('%s → %s', (re, pattern) => {
  expect(portableRegex(re).pattern).toBe(pattern);
});

test.each([
  [/(?=a)b/, 'lookaround and named groups ((?=, (?!, (?<) are not supported'],
  [/(?<n>a)/, 'lookaround and named groups ((?=, (?!, (?<) are not supported'],
  [/(a)\1/, 'backreferences are not supported'],
  [/\bword/, 'word boundaries (\\b, \\B) are not supported'],
  [/^a$/m, 'the m flag is not supported'],
  [/\p{L}/u, 'the escape \\p is not supported'],
  [/[\\]/, 'a backslash inside a character class is not supported'],
])('%s is refused: %s', (re, message) => {
  expect(() => portableRegex(re)).toThrow(message);
});

describe('the rewritten pattern agrees with JavaScript on DuckDB', () => {
  let wh: DuckDbWarehouse;
  beforeAll(async () => {
    wh = await DuckDbWarehouse.open({ path: ':memory:', threads: 1 });
  });
  afterAll(async () => wh.close());

  const PATTERNS = [/^cl_\d+$/, /^(?:cl|id)_[0-9a-f]{2,}$/i, /^[\w.+-]+@[a-z]+\.(?:com|io)$/, /\s\d{2}-\d{2}/, /^[^aeiou\]-]*$/, /^(ab|c)+?$/];
  const ALPHABET = ['a', 'b', 'c', 'e', 'i', 'l', 'x', 'C', 'L', '_', '-', '.', '@', ' ', '\t', '0', '7', '9', ']', '+'];
  const strings = fc.array(fc.constantFrom(...ALPHABET), { maxLength: 12 }).map((cs) => cs.join(''));
  const prefixed = fc.tuple(fc.constantFrom('cl_', 'id_', 'x@ab.com', 'ab', ''), strings).map(([p, s]) => p + s);

  test.each(PATTERNS.map((re) => [re]))('%s', async (re) => {
    const p = portableRegex(re);
    const sql = renderSql(
      `select {{ ${p.caseInsensitive ? 're_match_i' : 're_match'}(x, '${p.pattern.replace(/'/g, "''")}') }} as v from (select $x as x) t`,
      'duckdb',
    );
    await fc.assert(
      fc.asyncProperty(prefixed, async (s) => {
        const [row] = await wh.query<{ v: boolean }>(sql, { x: s });
        return row.v === re.test(s);
      }),
      { numRuns: 150, seed: 18 },
    );
  });
});
