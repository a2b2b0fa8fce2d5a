import * as fs from 'node:fs';
import { parseVendorFile, readVendorFile, unitsProblem, VendorFileError } from '../../personas/vendor-file';
import { VENDOR_FIXTURE } from './support/persona-env';

const fixture = fs.readFileSync(VENDOR_FIXTURE, 'utf8');
const lines = fixture.trim().split('\n');

test('the vendor CSV fixture gives 8 named personas with 10-feature centroids and its scaler', () => {
  const m = parseVendorFile('vendor-personas.csv', fixture);
  expect(m.personas.map((p) => p.name)).toEqual([
    'Sustainable Steve',
    'Eco-Conscious Haley',
    'Bargain Hunter Brian',
    'Premium Paula',
    'Busy Parent Priya',
    'Tech-Savvy Tom',
    'Loyal Local Linda',
    'Impulse Buyer Ian',
  ]);
  expect(m.personas[0].centroid).toEqual([8.2, 3.1, 6.5, 2.4, 7.8, 4.0, 5.5, 3.2, 6.9, 2.8]);
  expect(m.scaling.std).toEqual([2.1, 2.0, 2.3, 2.2, 2.0, 2.1, 2.2, 2.3, 2.1, 2.0]);
  expect(m.source).toBe('vendor:vendor-personas.csv');
});

test('the same personas as JSON (object centroids, array scaler) parse to the same model', () => {
  const csv = parseVendorFile('v.csv', fixture);
  const json = {
    personas: csv.personas.map((p) => ({ name: p.name, centroid: Object.fromEntries(p.centroid.map((v, i) => [`x${i + 1}`, v])) })),
    scaling: csv.scaling,
  };
  expect(parseVendorFile('v.json', JSON.stringify(json))).toEqual({ ...csv, source: 'vendor:v.json' });
});

test('without scaling rows the distance is plain Euclidean (mean 0, std 1)', () => {
  const m = parseVendorFile('v.csv', lines.filter((l) => !/^(mean|std),/.test(l)).join('\n'));
  expect(m.scaling).toEqual({ mean: Array(10).fill(0), std: Array(10).fill(1) });
});

test.each([
  [
    'a missing feature column',
    (ls: string[]) =>
      ls.map((l) =>
        l
          .split(',')
          .filter((_, i) => i !== 8)
          .join(','),
      ),
    'v.csv: header is missing x7 (expected persona,x1,x2,x3,x4,x5,x6,x7,x8,x9,x10[,kind])',
  ],
  ['NaN in a centroid', (ls: string[]) => ls.map((l, i) => (i === 3 ? l.replace(',3.4,', ',NaN,') : l)), 'v.csv: line 4: x3 is not a finite number ("NaN")'],
  ['an empty value', (ls: string[]) => ls.map((l, i) => (i === 2 ? l.replace(',6.8,', ',,') : l)), 'v.csv: line 3: missing features x2'],
  [
    'a duplicate name',
    (ls: string[]) => [...ls.slice(0, 3), ls[1].replace('Sustainable Steve', ' sustainable steve'), ...ls.slice(3)],
    'v.csv: duplicate persona name "sustainable steve" (line 2 and line 4)',
  ],
  ['a zero std', (ls: string[]) => ls.map((l) => (l.startsWith('std,') ? l.replace(',2.1,', ',0,') : l)), 'v.csv: scaling std of x1 must be > 0, got 0'],
  ['one persona only', (ls: string[]) => ls.slice(0, 2), 'v.csv: needs at least 2 personas, found 1'],
])('refuses %s with a clear message', (_what, edit, message) => {
  expect(() => parseVendorFile('v.csv', edit(lines).join('\n'))).toThrow(new VendorFileError(message));
});

test('refuses bad JSON and unsupported file types', () => {
  expect(() => parseVendorFile('v.json', '{"personas": [')).toThrow(/^v\.json: not valid JSON/);
  expect(() =>
    parseVendorFile(
      'v.json',
      JSON.stringify({
        personas: [
          { name: 'A', centroid: { x1: 1 } },
          { name: 'B', centroid: [] },
        ],
      }),
    ),
  ).toThrow('v.json: personas[0] centroid: missing features x2, x3, x4, x5, x6, x7, x8, x9, x10');
  expect(() => parseVendorFile('v.xlsx', fixture)).toThrow('v.xlsx: unsupported file type (use .csv or .json)');
});

test('a file without mean/std rows has no scaler: the default threshold cannot apply to its raw units unless it brings one', () => {
  const raw = lines.filter((l) => !/^(mean|std),/.test(l)).join('\n');
  expect(readVendorFile('raw.csv', raw).hasScaler).toBe(false);
  expect(readVendorFile('vendor.csv', fixture).hasScaler).toBe(true);
  expect(unitsProblem('raw.csv', false, undefined)).toMatch(/^raw\.csv has no scaler \(no mean and std rows\), so its distances are in raw feature units/);
  expect(unitsProblem('raw.csv', false, 9)).toBeUndefined();
  expect(unitsProblem('vendor.csv', true, undefined)).toBeUndefined();
  const meanOnly = lines.filter((l) => !l.startsWith('std,')).join('\n');
  expect(() => parseVendorFile('half.csv', meanOnly)).toThrow(new VendorFileError('half.csv: has a mean row but no std row: a scaler needs both'));
});
