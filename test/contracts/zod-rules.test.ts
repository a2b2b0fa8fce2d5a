import { z } from 'zod';
import { BACKENDS, openBackend, type Backend } from '../warehouse/backends';
import { csvOf, ruleContract, runContract } from './support';

/**
 * Every zod rule a contract may use is enforced in SQL, on DuckDB and on Snowflake (fakesnow),
 * with a readable reason — and agrees with zod itself: each value's verdict below is also
 * checked against `schema.safeParse` (a CSV field is text; an empty field is no value).
 */
type Convert = (text: string) => unknown;
const text: Convert = (t) => (t === '' ? undefined : t);
const num: Convert = (t) => (t === '' ? undefined : Number(t));

interface RuleCase {
  rule: string;
  schema: z.ZodType;
  js?: Convert;
  accept: string[];
  /** [value, the row's primary reason] */
  reject: [string, string][];
  /** [value, what bronze stores for it] when it differs from the text */
  stored?: [string, unknown][];
}

const CASES: RuleCase[] = [
  {
    rule: '.url()',
    schema: z.string().url(),
    accept: ['https://shop.example.com/p/1?q=2', 'http://localhost:3000', 'mailto:ops@example.com', 'ftp://files.example.com/a.csv'],
    reject: [
      ['not a url', 'v: not a URL'],
      ['/p/1', 'v: not a URL'],
      ['www.example.com/p', 'v: not a URL'],
      ['https://', 'v: not a URL'],
      ['http://exa mple.com', 'v: not a URL'],
    ],
  },
  {
    rule: '.regex()',
    schema: z.string().regex(/^cl_\d+$/),
    accept: ['cl_3956', 'cl_1'],
    reject: [
      ['CL_1', 'v: does not match /^cl_\\d+$/'],
      ['cl_', 'v: does not match /^cl_\\d+$/'],
      ['x cl_1', 'v: does not match /^cl_\\d+$/'],
    ],
  },
  {
    rule: '.regex() with the i flag and a non-capturing group',
    schema: z.string().regex(/^(?:cl|id)_[0-9a-f]{2,}$/i),
    accept: ['CL_ab12', 'id_FF'],
    reject: [['cl_x', 'v: does not match /^(?:cl|id)_[0-9a-f]{2,}$/i']],
  },
  {
    rule: '.email()',
    schema: z.string().email(),
    accept: ['ana@example.com', "o'brien+tag@mail.example.co.uk", 'a.b_c-d@x-y.io'],
    reject: [
      ['ana@', 'v: not an email address'],
      ['ana@example', 'v: not an email address'],
      ['ana example@x.com', 'v: not an email address'],
      ['a..b@example.com', 'v: not an email address'],
    ],
  },
  {
    rule: '.uuid()',
    schema: z.string().uuid(),
    accept: ['3f2b8c1e-9d4a-4c7b-8e2f-1a2b3c4d5e6f', '3F2B8C1E-9D4A-4C7B-AE2F-1A2B3C4D5E6F'],
    reject: [
      ['not-a-uuid', 'v: not a UUID'],
      ['3f2b8c1e9d4a4c7b8e2f1a2b3c4d5e6f', 'v: not a UUID'],
      ['3f2b8c1e-9d4a-0c7b-8e2f-1a2b3c4d5e6f', 'v: not a UUID'],
    ],
  },
  {
    rule: 'string .min() / .max()',
    schema: z.string().min(2).max(5),
    accept: ['ab', 'abcde'],
    reject: [
      ['a', 'v: shorter than 2'],
      ['abcdef', 'v: longer than 5'],
    ],
  },
  {
    rule: 'number .min() / .max()',
    schema: z.number().min(0).max(10),
    js: num,
    accept: ['0', '10', '2.5'],
    reject: [
      ['-1', 'v: below 0'],
      ['10.5', 'v: above 10'],
      ['ten', 'v: not a valid double'],
    ],
  },
  {
    rule: 'number .gt() / .lt()',
    schema: z.number().gt(1).lt(5),
    js: num,
    accept: ['1.5', '4.99'],
    reject: [
      ['1', 'v: not above 1'],
      ['5', 'v: not below 5'],
    ],
  },
  {
    rule: '.int()',
    schema: z.number().int().min(1),
    js: num,
    accept: ['3', '2.0'],
    reject: [
      ['1.5', 'v: not an integer'],
      ['x', 'v: not an integer'],
      ['0', 'v: below 1'],
    ],
    stored: [['2.0', 2]],
  },
  {
    rule: 'enum',
    schema: z.enum(['page_view', 'purchase']),
    accept: ['page_view', 'purchase'],
    reject: [
      ['checkout_completed', 'v: not one of page_view|purchase'],
      ['', 'v: missing'],
    ],
  },
  {
    rule: 'required (no modifier)',
    schema: z.string(),
    accept: ['x'],
    reject: [['', 'v: missing']],
  },
  { rule: '.optional()', schema: z.string().optional(), accept: ['x', ''], reject: [], stored: [['', null]] },
  { rule: '.nullable()', schema: z.string().nullable(), accept: ['x', ''], reject: [], stored: [['', null]] },
  { rule: '.nullish()', schema: z.string().nullish(), accept: ['x', ''], reject: [], stored: [['', null]] },
  {
    rule: '.optional() keeps the other rules',
    schema: z.string().url().optional(),
    accept: ['https://x.example', ''],
    reject: [['nope', 'v: not a URL']],
  },
  { rule: '.default() on text', schema: z.string().default('none'), accept: ['x', ''], reject: [], stored: [['', 'none']] },
  {
    rule: '.default() on a number',
    schema: z.number().int().default(7),
    js: num,
    accept: ['3', ''],
    reject: [['x', 'v: not an integer']],
    stored: [['', 7]],
  },
];

/** An empty field is no value: accepted when zod accepts either a null or a missing value. */
function zodAccepts(c: RuleCase, value: string): boolean {
  const accepts = (v: unknown) => z.object({ v: c.schema }).safeParse(v === undefined ? {} : { v }).success;
  return value === '' ? accepts(null) || accepts(undefined) : accepts((c.js ?? text)(value));
}

test.each(CASES)('the expected verdicts of $rule are zod’s own', (c) => {
  for (const v of c.accept) expect([v, zodAccepts(c, v)]).toEqual([v, true]);
  for (const [v] of c.reject) expect([v, zodAccepts(c, v)]).toEqual([v, false]);
});

describe.each(BACKENDS)('zod rules enforced in SQL on %s', (name) => {
  let backend: Backend;
  beforeAll(async () => {
    backend = await openBackend(name);
  });
  afterAll(async () => backend?.stop());

  test.each(CASES.map((c, i) => ({ ...c, i })))('$rule', async (c) => {
    const contract = ruleContract(`rule_${c.i}`, c.schema);
    const values = [...c.accept, ...c.reject.map(([v]) => v)];
    const { bronze, quarantine } = await runContract(backend.warehouse, contract, 'values.csv', csvOf(values));
    // Lines are 2.. in value order; accepted values reach bronze, each rejected one is quarantined with its reason.
    expect(bronze.map((r) => String(r.id))).toEqual(c.accept.map((_, k) => String(k + 1)));
    expect(quarantine.map((q) => [q.line, q.reason])).toEqual(c.reject.map(([, reason], k) => [c.accept.length + k + 2, reason]));
    for (const [v, stored] of c.stored ?? []) {
      const row = bronze[c.accept.indexOf(v)];
      expect([v, row.v]).toEqual([v, stored]);
    }
  });
});
