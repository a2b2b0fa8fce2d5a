import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';
import { odcsToSources } from '../../contracts/odcs';
import { BACKENDS, openBackend, type Backend } from '../warehouse/backends';
import { runContract } from './support';

/**
 * An Open Data Contract Standard v3 document becomes the same contract model as a TypeScript
 * contract (schema, types, required, patterns, enums, quality thresholds, key, time zone, our
 * settings as customProperties), enforced by the same SQL; what cannot be enforced is refused in
 * one line, what is documentation is listed as not used.
 */
const EXAMPLES = path.resolve(__dirname, '../../contracts/examples');
const doc = () => parse(fs.readFileSync(path.join(EXAMPLES, 'web_orders.odcs.yaml'), 'utf8')) as Record<string, unknown>;

test('the example document maps to a contract: types, rules, key, settings', () => {
  const { sources, ignored } = odcsToSources(doc());
  expect(sources).toHaveLength(1);
  const s = sources[0];
  expect({
    name: s.name,
    key: s.key,
    required: s.required,
    rate: s.maxQuarantineRate,
    zone: s.timeZone,
    csv: s.csv,
    aliases: s.aliases,
    files: s.files,
  }).toEqual({
    name: 'web_orders',
    key: ['order_id'],
    required: false,
    rate: 0.02, // status: invalidValues mustBeLessThan 2 percent
    zone: 'Europe/Berlin',
    csv: { delimiter: ';' },
    aliases: { customer_email: ['email', 'customerEmail'] },
    files: ['web_orders_*.csv', 'web_orders_*.csv.gz'],
  });
  expect(s.columns.map((c) => [c.name, c.sqlType, c.nullable])).toEqual([
    ['order_id', 'varchar', false],
    ['customer_email', 'varchar', false],
    ['ordered_at', 'timestamp', false],
    ['status', 'varchar', false],
    ['total', 'double', false],
    ['items', 'bigint', true],
    ['coupon', 'varchar', true],
  ]);
  expect(s.columns.find((c) => c.name === 'status')!.enum).toEqual(['paid', 'shipped', 'cancelled']);
  expect(ignored).toEqual(['team', 'web_orders.physicalName', 'web_orders.coupon.examples']);
});

describe.each(BACKENDS)('an ODCS contract enforced on %s', (name) => {
  let backend: Backend;
  beforeAll(async () => {
    backend = await openBackend(name);
  });
  afterAll(async () => backend?.stop());

  test('the example export: semicolons, an aliased header, Berlin wall times, every rule', async () => {
    const s = odcsToSources(doc()).sources[0];
    const csv = fs.readFileSync(path.join(EXAMPLES, 'web_orders_2026-03-02.csv'), 'utf8');
    const { bronze, quarantine } = await runContract(backend.warehouse, s, 'web_orders_2026-03-02.csv', csv);
    expect(bronze.map((r) => [r.order_id, r.customer_email, String(r.ordered_at)])).toEqual([
      ['WO-000001', 'ana@example.com', '2026-03-02T08:15:00.000Z'],
      ['WO-000002', 'ben@example.com', '2026-03-02T09:20:00.000Z'],
    ]);
    expect(quarantine.map((q) => [q.line, q.reason])).toEqual([
      [4, 'customer_email: not an email address'],
      [5, 'status: not one of paid|shipped|cancelled'],
      [6, 'total: below 0'],
      [7, 'order_id: does not match /^WO-[0-9]{6}$/'],
    ]);
  });
});

const odcs = (schema: unknown, extra: Record<string, unknown> = {}) => ({ apiVersion: 'v3.0.2', kind: 'DataContract', id: 'x', schema, ...extra });
const obj = (properties: unknown[], extra: Record<string, unknown> = {}) => [{ name: 'things', properties, ...extra }];
const id = { name: 'id', logicalType: 'string', primaryKey: true, required: true };

test.each([
  [
    odcs(obj([id, { name: 't', logicalType: 'time' }])),
    'ODCS object "things": property t: logicalType "time" is not supported (string, integer, number, boolean, date, timestamp, object, array)',
  ],
  [
    odcs(obj([id], { quality: [{ type: 'sql', query: 'select count(*) from {object}', mustBeGreaterThan: 0 }] })),
    'ODCS object "things": quality rule "sql" (sql) cannot be enforced at load time (remove it or use type: text)',
  ],
  [
    odcs(obj([id], { quality: [{ metric: 'rowCount', mustBeGreaterThan: 100 }] })),
    'ODCS object "things": quality rule "rowCount" (library rowCount) cannot be enforced at load time (remove it or use type: text)',
  ],
  [
    odcs(obj([id, { name: 'c', logicalType: 'string', quality: [{ metric: 'nullValues', mustBeLessThan: 10 }] }])),
    'ODCS object "things": property c: nullValues: a tolerance in rows does not scale with the file; use unit: percent',
  ],
  [
    odcs(obj([id, { name: 'd', logicalType: 'date', logicalTypeOptions: { format: 'dd/MM/yyyy' } }])),
    'ODCS object "things": property d: format "dd/MM/yyyy" is not ISO-8601; only ISO dates and timestamps are read',
  ],
  [
    odcs(obj([{ name: 'v', logicalType: 'string' }])),
    'ODCS object "things": no primaryKey, unique property or duplicateValues rule: say what identifies a record',
  ],
  [
    odcs(obj([id, { name: 'r', logicalType: 'string', logicalTypeOptions: { pattern: '(?<=a)b' } }])),
    /^contract things, column r: \.regex\(\/\(\?<=a\)b\/\): lookaround/,
  ],
  [{ ...odcs(obj([id])), apiVersion: 'v2.2.2' }, 'ODCS: apiVersion "v2.2.2" is not v3 (v3.0.x and v3.1.0 are read)'],
])('what cannot be enforced is refused in one line (%#)', (document, message) => {
  expect(() => odcsToSources(document)).toThrow(message);
});

test('percent tolerances become the quarantine-rate threshold (the strictest); mustBe 0 only requires', () => {
  const [s] = odcsToSources(
    odcs(
      obj([
        id,
        { name: 'a', logicalType: 'string', quality: [{ metric: 'nullValues', mustBeLessThan: 5, unit: 'percent' }] },
        {
          name: 'b',
          logicalType: 'string',
          quality: [{ metric: 'invalidValues', arguments: { validValues: ['x', 'y'] }, mustBeLessOrEqualTo: 3, unit: 'percent' }],
        },
        {
          name: 'c',
          logicalType: 'string',
          quality: [
            { metric: 'nullValues', mustBe: 0 },
            { type: 'text', description: 'documentation only' },
          ],
        },
      ]),
    ),
  ).sources;
  expect(s.maxQuarantineRate).toBe(0.03);
  expect(s.columns.map((c) => [c.name, c.nullable, c.enum ?? null])).toEqual([
    ['id', false, null],
    ['a', false, null],
    ['b', true, ['x', 'y']],
    ['c', false, null],
  ]);
});
