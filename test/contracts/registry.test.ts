import * as fs from 'node:fs';
import * as path from 'node:path';
import { activeContracts, loadContracts, SOURCES, useContracts } from '../../contracts/sources';
import { tempDataDir } from '../support/temporal';
import { dtcContractSource } from './support/dtc-export';

/**
 * Contract files are discovered without a central list: the shipped `contracts/*.contract.ts`
 * plus the user's DAG_CONTRACTS_DIR (`*.contract.ts|js`, `*.odcs.yaml`), wherever it is — a
 * TypeScript contract there imports `zod` and `marketing-dag/contracts` and its own helpers.
 */
const write = (dir: string, files: Record<string, string>) => {
  for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), text);
  return dir;
};
const ODCS = `apiVersion: v3.1.0
kind: DataContract
id: web-orders
version: 1.0.0
status: active
schema:
  - name: web_orders
    description: Orders of the web shop
    properties:
      - name: order_id
        logicalType: string
        required: true
        primaryKey: true
      - name: total
        logicalType: number
        required: true
`;

test('the shipped contracts are found in contracts/, one file each', () => {
  const set = loadContracts();
  expect(set.sources.map((s) => [s.name, path.basename(s.origin!)])).toEqual([
    ['customers', 'customers.contract.ts'],
    ['events', 'events.contract.ts'],
    ['order_items', 'order_items.contract.ts'],
    ['orders', 'orders.contract.ts'],
  ]);
  expect(set.sources.filter((s) => s.required).map((s) => s.name)).toEqual(['events', 'orders']);
});

test('a user folder anywhere: a TS contract with its own helper module, and an ODCS document', () => {
  const dir = write(tempDataDir('registry-'), {
    'dtc_events.contract.ts': dtcContractSource({ required: false, maxQuarantineRate: 0.1 })
      .replace("description: 'Event export of the DTC shop (tag manager), one file per day.',", 'description: DESCRIPTION,')
      .replace("import { z } from 'zod';", "import { z } from 'zod';\nimport { DESCRIPTION } from './shared/texts';"),
    'web_orders.odcs.yaml': ODCS,
    'notes.md': 'not a contract',
  });
  fs.mkdirSync(path.join(dir, 'shared'));
  write(path.join(dir, 'shared'), { 'texts.ts': "export const DESCRIPTION: string = 'DTC export (shared text)';\n" });
  const set = loadContracts({ dir });
  expect(set.sources.map((s) => s.name)).toEqual(['customers', 'events', 'order_items', 'orders', 'dtc_events', 'web_orders']);
  expect(set.byName('dtc_events')).toMatchObject({
    description: 'DTC export (shared text)',
    maxQuarantineRate: 0.1,
    origin: path.join(dir, 'dtc_events.contract.ts'),
  });
  expect(set.byName('web_orders').columns.map((c) => [c.name, c.sqlType, c.nullable])).toEqual([
    ['order_id', 'varchar', false],
    ['total', 'double', false],
  ]);
});

test('a contract in the user folder with a shipped name replaces the shipped one', () => {
  const shipped = fs.readFileSync(path.resolve(__dirname, '../../contracts/orders.contract.ts'), 'utf8');
  const dir = write(tempDataDir('registry-'), {
    'orders.contract.ts': shipped.replace("from './contract'", "from 'marketing-dag/contracts'").replace('required: true', 'required: false'),
  });
  const set = loadContracts({ dir });
  expect(set.byName('orders')).toMatchObject({ required: false, origin: path.join(dir, 'orders.contract.ts') });
  expect(set.sources.filter((s) => s.name === 'orders')).toHaveLength(1);
});

test('files are matched by the contracts’ patterns; no match or two matches is reported, never guessed', () => {
  const dir = write(tempDataDir('registry-'), {
    'dtc_events.contract.ts': dtcContractSource({ required: false, maxQuarantineRate: 0.1 }),
    'clicks.contract.ts': `import { z } from 'zod';
import { defineSource } from 'marketing-dag/contracts';
export default defineSource({ name: 'clicks', description: 'clicks', files: ['clicks_*.txt', 'dtc_events-*.csv'], format: 'csv', csv: { delimiter: ';' }, key: ['id'], schema: z.object({ id: z.string() }) });
`,
  });
  const set = loadContracts({ dir });
  const m = (f: string) => {
    const r = set.matchFile(f);
    return r.source ? r.source.name : r.reason;
  };
  expect(m('events.csv')).toBe('events');
  expect(m('events-part2.csv.gz')).toBe('events');
  expect(m('clicks_2026.txt')).toBe('clicks');
  expect(m('dtc-export-1.csv.gz')).toBe('dtc_events');
  expect(m('Events.csv')).toBe('matches no source');
  expect(m('events_extra.csv')).toBe('matches no source');
  expect(m('events.xlsx')).toBe("matches events but its type is unknown (name it .csv, .ndjson, .jsonl or .parquet, or set the contract's format)");
  expect(m('dtc_events-1.csv')).toBe('matches more than one source (clicks, dtc_events)');
});

test.each([
  [{ 'a.contract.ts': 'export default {', 'b.contract.ts': '' }, /^cannot load contract file .*a\.contract\.ts: /],
  [{ 'x.contract.ts': "export default { name: 'x' }" }, /^the default export must be defineSource\(\{\.\.\.\}\) \(.*x\.contract\.ts\)$/],
  [
    {
      'one.contract.ts': "import { z } from 'zod';\nexport default { name: 'twin', description: 'a', key: ['id'], schema: z.object({ id: z.string() }) };",
      'two.odcs.yaml': ODCS.replace('web_orders', 'twin'),
    },
    /^contract twin is defined twice: .*one\.contract\.ts and .*two\.odcs\.yaml$/,
  ],
  [
    { 'bad.odcs.yaml': 'kind: DataContract\napiVersion: v2.2.2\nschema: []\n' },
    /^ODCS: apiVersion "v2.2.2" is not v3 \(v3.0.x and v3.1.0 are read\) \(.*bad\.odcs\.yaml\)$/,
  ],
  [
    {
      'tz.contract.ts': dtcContractSource({ required: false, maxQuarantineRate: 0.1 }).replace(
        'required: false,',
        "required: false, timeZone: 'Mars/Olympus',",
      ),
    },
    /^contract dtc_events: timeZone "Mars\/Olympus" is not an IANA time zone/,
  ],
])('a broken contract folder fails with one line naming the file (%#)', (files, message) => {
  const dir = write(tempDataDir('registry-'), files as Record<string, string>);
  let err: Error | undefined;
  try {
    loadContracts({ dir });
  } catch (e) {
    err = e as Error;
  }
  expect(err?.message).toMatch(message);
  expect(err?.message).not.toContain('\n');
});

test('a contracts folder that does not exist is refused', () => {
  expect(() => loadContracts({ dir: '/nonexistent/contracts' })).toThrow('DAG_CONTRACTS_DIR /nonexistent/contracts is not a folder');
});

test('SOURCES (kept for older callers) reads the installed set', () => {
  const before = activeContracts();
  try {
    const dir = write(tempDataDir('registry-'), { 'dtc_events.contract.ts': dtcContractSource({ required: false, maxQuarantineRate: 0.1 }) });
    useContracts(loadContracts({ dir }));
    expect(SOURCES.map((s) => s.name)).toEqual(['customers', 'events', 'order_items', 'orders', 'dtc_events']);
    expect(SOURCES.find((s) => s.name === 'dtc_events')?.maxQuarantineRate).toBe(0.1);
    expect([...SOURCES].length).toBe(SOURCES.length);
  } finally {
    useContracts(before);
  }
});
