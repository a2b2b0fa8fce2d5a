import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PARTICIPANT_COLUMNS, writeParticipantsCsv } from '../../generator/personas';
import { kmeans } from '../../personas/kmeans';
import { personaModelSchema, type PersonaModel } from '../../personas/model';
import { trainCandidate } from '../../personas/train';
import { parseVendorFile } from '../../personas/vendor-file';
import { Rng } from '../../generator/random';
import { VENDOR_FIXTURE } from './support/persona-env';

const vendor: PersonaModel = personaModelSchema.parse({
  ...parseVendorFile(VENDOR_FIXTURE, fs.readFileSync(VENDOR_FIXTURE, 'utf8')),
  version: 1,
  createdAt: '2026-01-01T00:00:00Z',
});
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'personas-gen-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** Participants as rows of x1..x10, drawn by the real generator. */
function draw(model: Pick<PersonaModel, 'personas' | 'scaling'>, n: number, seed: number): number[][] {
  const file = path.join(dir, `p-${seed}-${n}.csv`);
  writeParticipantsCsv(file, model, { date: '2026-11-01', participants: n, seed, outlierShare: 0 });
  return fs
    .readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .slice(1)
    .map((l) => l.split(',').slice(2, 12).map(Number));
}

test('the generator is deterministic, writes the documented columns, and shifts only the named features', () => {
  const a = path.join(dir, 'a.csv');
  const b = path.join(dir, 'b.csv');
  const opts = { date: '2026-11-05', participants: 500, seed: 9, shift: { features: ['x4'], stdPerDay: 0.5, from: '2026-11-03' } };
  const manifest = writeParticipantsCsv(a, vendor, opts);
  writeParticipantsCsv(b, vendor, opts);
  expect(fs.readFileSync(a)).toEqual(fs.readFileSync(b));
  expect(fs.readFileSync(a, 'utf8').split('\n')[0]).toBe(PARTICIPANT_COLUMNS.join(','));
  expect(manifest.shiftedBy).toEqual({ x4: 1.5 }); // third day of 0.5 std per day
  expect(Object.values(manifest.perPersona).reduce((s, n) => s + n, 0) + manifest.outliers).toBe(500);
});

test('k-means seeded with perturbed centroids recovers the true ones, identically on every run', () => {
  const rows = draw(vendor, 4000, 1);
  const rng = new Rng('perturb');
  const seeds = vendor.personas.map((p) => p.centroid.map((v) => v + rng.normal() * 0.8));
  const first = kmeans(rows, seeds);
  expect(kmeans(rows, seeds)).toEqual(first);
  // ~400 points per persona with noise sd ≈ 0.77: a cluster mean's standard error is ≈ 0.04.
  first.centroids.forEach((c, k) => c.forEach((v, j) => expect(Math.abs(v - vendor.personas[k].centroid[j])).toBeLessThan(0.2)));
});

test('retraining on unchanged data keeps k, the names and nearly every label', () => {
  const { draft, comparison } = trainCandidate(vendor, draw(vendor, 3000, 2), { compareK: false, silhouetteSample: 500 });
  expect(draft.personas.map((p) => p.name)).toEqual(vendor.personas.map((p) => p.name));
  expect(comparison.k).toBe(8);
  expect(comparison.labelStability).toBeGreaterThan(0.99);
  expect(Math.max(...Object.values(comparison.centroidShift))).toBeLessThan(0.2);
  expect(comparison.candidate.inertia).toBeLessThanOrEqual(comparison.active.inertia);
});

test('comparing k-1/k/k+1 by silhouette finds a ninth persona that appeared in the data', () => {
  const ninth = { name: 'Newcomer', centroid: [9.5, 9.5, 9.5, 9.5, 9.5, 1, 1, 1, 1, 1] };
  const rows = draw({ personas: [...vendor.personas, ninth], scaling: vendor.scaling }, 3000, 3);
  const { draft, comparison } = trainCandidate(vendor, rows, { compareK: true, silhouetteSample: 600 });
  expect(Object.keys(comparison.triedK).sort()).toEqual(['7', '8', '9']);
  expect(comparison.k).toBe(9);
  expect(draft.personas.at(-1)!.name).toBe('New persona 9');
  draft.personas.at(-1)!.centroid.forEach((v, j) => expect(Math.abs(v - ninth.centroid[j])).toBeLessThan(0.2));
});
