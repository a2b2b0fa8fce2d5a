import { csvRecords, PendingRecordTooLong, type CsvRecord, type UnbalancedLine } from '../../adapters/warehouse/snowflake/snowflake-csv-records';
import { UNBALANCED_QUOTE } from '../../adapters/warehouse/duckdb/csv-quote-scan';
import { isTransientSnowflakeError, withRetry } from '../../adapters/warehouse/snowflake/snowflake-retry';
import { splitStatements, toPositionalBinds } from '../../adapters/warehouse/snowflake/snowflake-sql-text';

/** The pure parts of the Snowflake adapter: SQL text scanning and the retry decision. */
describe('toPositionalBinds', () => {
  test('turns $name into ? in order, repeating values for repeated names', () => {
    expect(toPositionalBinds('select $a, $b, $a', { a: 1, b: 'x' })).toEqual({ sqlText: 'select ?, ?, ?', binds: [1, 'x', 1] });
  });

  test('leaves $ in strings, quoted identifiers, $$ blocks, comments and $1 alone', () => {
    const sql = `select '$.a', 'it''s $a', "$a", $$ $a $$, $1 -- $a\n/* $a */ , $a`;
    expect(toPositionalBinds(sql, { a: 5 })).toEqual({ sqlText: sql.replace(/, \$a$/, ', ?'), binds: [5] });
  });

  test('a name without a value throws', () => {
    expect(() => toPositionalBinds('select $nope', {})).toThrow('SQL parameter $nope has no value');
  });
});

describe('splitStatements', () => {
  test('splits on top-level semicolons only', () => {
    expect(splitStatements(`create table t (v varchar);\ninsert into t values ('a;b'); -- c;\nselect ";" from t;`)).toEqual([
      'create table t (v varchar)',
      "\ninsert into t values ('a;b')",
      ' -- c;\nselect ";" from t',
    ]);
  });
});

describe('csvRecords', () => {
  const TEXT = 'a,b\r\n"x, ""y""",2\n"multi\nline",3\n\n"bad"tail,4\nlast,"open';
  const read = async (chunks: Array<string | UnbalancedLine>, maxPending?: number) => {
    const out: CsvRecord[] = [];
    for await (const r of csvRecords(
      (async function* () {
        yield* chunks;
      })(),
      maxPending,
    ))
      out.push(r);
    return out;
  };

  test('fields, exact start lines, raw text and errors', async () => {
    expect(await read([TEXT])).toEqual([
      { fields: ['a', 'b'], line: 1, raw: 'a,b', error: null, spansLines: false },
      { fields: ['x, "y"', '2'], line: 2, raw: '"x, ""y""",2', error: null, spansLines: false },
      { fields: ['multi\nline', '3'], line: 3, raw: '"multi\nline",3', error: null, spansLines: true },
      { fields: [''], line: 5, raw: '', error: null, spansLines: false },
      { fields: ['badtail', '4'], line: 6, raw: '"bad"tail,4', error: 'UNQUOTED VALUE: Value with unterminated quote found.', spansLines: false },
      { fields: ['last', 'open'], line: 7, raw: 'last,"open', error: 'UNQUOTED VALUE: Value with unterminated quote found.', spansLines: false },
    ]);
  });

  test('a quote never closed spans lines even when it stops at the final line break', async () => {
    expect(await read(['a\n"open\n'])).toEqual([
      { fields: ['a'], line: 1, raw: 'a', error: null, spansLines: false },
      { fields: ['open'], line: 2, raw: '"open', error: 'UNQUOTED VALUE: Value with unterminated quote found.', spansLines: true },
    ]);
  });

  test('an UnbalancedLine is one quarantined record in its place; the lines after it keep their numbers', async () => {
    expect(await read(['a,b\n1,x\n', { unbalanced: '2,"y' }, '3,"z\nz"\n4,w\n'])).toEqual([
      { fields: ['a', 'b'], line: 1, raw: 'a,b', error: null, spansLines: false },
      { fields: ['1', 'x'], line: 2, raw: '1,x', error: null, spansLines: false },
      { fields: [], line: 3, raw: '2,"y', error: UNBALANCED_QUOTE, spansLines: false },
      { fields: ['3', 'z\nz'], line: 4, raw: '3,"z\nz"', error: null, spansLines: true },
      { fields: ['4', 'w'], line: 6, raw: '4,w', error: null, spansLines: false },
    ]);
  });

  test('a pending record longer than maxPending stops the read with the line it started on', async () => {
    const err = await read(['a\n1\n"', 'x'.repeat(40), '\n'.repeat(40), 'more'], 50).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PendingRecordTooLong);
    expect((err as PendingRecordTooLong).line).toBe(3);
  });

  test('the same records whichever way the text is cut into chunks', async () => {
    const whole = await read([TEXT]);
    for (let cut = 1; cut < TEXT.length; cut++) expect(await read([TEXT.slice(0, cut), TEXT.slice(cut)])).toEqual(whole);
  });
});

describe('isTransientSnowflakeError', () => {
  const err = (fields: Record<string, unknown>, message = 'x') => Object.assign(new Error(message), fields);

  test.each([
    ['sdk network error', err({ code: 401001 })],
    ['sdk request failed', err({ code: 401002 })],
    ['connection terminated (SQL state 08003)', err({ code: 405503, sqlState: '08003' })],
    ['session token expired', err({ code: '390114' })],
    ['socket reset', err({ code: 'ECONNRESET' })],
    ['HTTP 429', err({ response: { status: 429 } })],
    ['HTTP 503', err({ response: { status: 503 } })],
  ])('%s is transient', (_name, e) => expect(isTransientSnowflakeError(e)).toBe(true));

  test.each([
    ['SQL compilation error', err({ code: '002003', sqlState: '42S02' }, "Object 'T' does not exist or not authorized.")],
    ['syntax error mentioning a connection column', err({ code: '001003', sqlState: '42000' }, "syntax error near 'connection'")],
    ['not an error object', 'boom'],
  ])('%s is not transient', (_name, e) => expect(isTransientSnowflakeError(e)).toBe(false));
});

describe('withRetry', () => {
  const policy = { attempts: 3, baseDelayMs: 1, maxDelayMs: 2 };

  test('retries transient failures, then returns', async () => {
    const seen: number[] = [];
    const value = await withRetry(async (attempt) => {
      seen.push(attempt);
      if (attempt < 3) throw Object.assign(new Error('reset'), { code: 'ECONNRESET' });
      return 'ok';
    }, policy);
    expect({ value, seen }).toEqual({ value: 'ok', seen: [1, 2, 3] });
  });

  test('gives up after the last attempt with the last error', async () => {
    let calls = 0;
    await expect(
      withRetry(async () => {
        calls++;
        throw Object.assign(new Error('still down'), { code: 401001 });
      }, policy),
    ).rejects.toThrow('still down');
    expect(calls).toBe(3);
  });

  test('never retries a SQL error', async () => {
    let calls = 0;
    await expect(
      withRetry(async () => {
        calls++;
        throw Object.assign(new Error('bad sql'), { sqlState: '42000' });
      }, policy),
    ).rejects.toThrow('bad sql');
    expect(calls).toBe(1);
  });
});
