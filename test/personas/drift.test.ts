import type { ActivityDeps } from '../../lib/deps';
import { computeDrift } from '../../activities/personas/drift';
import { categoricalPsi, gridDistances, psi } from '../../personas/drift-stats';
import { quantileBoundaries } from '../../personas/drift-grid';
import { landDay, openPersonaDeps } from './support/persona-env';

let deps: ActivityDeps;
beforeAll(async () => {
  deps = await openPersonaDeps();
  await landDay(deps, { date: '2026-11-01', participants: 4000, seed: 1 });
  await computeDrift(deps, { date: '2026-11-01' }); // sets the reference of v1
});
afterAll(async () => deps?.warehouse.close());

test('the first run makes its partition the reference and declares nothing', async () => {
  const r = await computeDrift(deps, { date: '2026-11-01' });
  expect(r.reference).toEqual({ from: '2026-11-01', to: '2026-11-01' });
  expect(r.isDrift).toBe(false);
});

test('a new day drawn from the same personas does not drift', async () => {
  await landDay(deps, { date: '2026-11-02', participants: 4000, seed: 2 });
  const r = await computeDrift(deps, { date: '2026-11-02' });
  expect(r).toMatchObject({ baseline: false, isDrift: false, reasons: [], driftedFeatures: [] });
  expect(Math.abs(r.labelShift!.meanDistanceShift)).toBeLessThan(0.05);
  const [row] = await deps.warehouse.query<{ is_drift: boolean; features_json: string }>(
    `select is_drift, features_json from ml.drift_reports where partition_date = date '2026-11-02'`,
  );
  expect(row.is_drift).toBe(false);
  for (const f of JSON.parse(row.features_json) as { psi: number; wassersteinNorm: number; ks: number }[]) {
    expect(f.psi).toBeLessThan(0.05);
    expect(f.wassersteinNorm).toBeLessThan(0.06);
    expect(f.ks).toBeLessThan(0.06);
  }
});

test('a planted shift in three features is declared, names those features, and is charted', async () => {
  await landDay(deps, { date: '2026-11-03', participants: 4000, seed: 3, shift: { features: ['x2', 'x5', 'x9'], stdPerDay: 1.5, from: '2026-11-03' } });
  const r = await computeDrift(deps, { date: '2026-11-03' });
  expect(r.isDrift).toBe(true);
  expect(r.driftedFeatures).toEqual(['x2', 'x5', 'x9']);
  expect(r.reasons.join('; ')).toMatch(/mean distance to assigned centroid \+\d+\.\d% \(> 25\.0%\)/);
  const charts = await deps.store.list(r.chartPrefix);
  expect(charts.map((c) => c.key.slice(r.chartPrefix.length))).toEqual([
    'x1.svg',
    'x10.svg',
    'x2.svg',
    'x3.svg',
    'x4.svg',
    'x5.svg',
    'x6.svg',
    'x7.svg',
    'x8.svg',
    'x9.svg',
  ]);
  const svg = (await deps.store.get(`${r.chartPrefix}x5.svg`)).toString();
  expect(svg).toMatch(/^<svg[^>]+xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
  expect(svg).toContain('x5: PSI ');
  expect(svg).toContain('DRIFTED');
});

test('thresholds are configurable: a loose mean-distance threshold leaves only the feature evidence', async () => {
  const r = await computeDrift(deps, { date: '2026-11-03', thresholds: { meanDistanceShift: 100, driftedFeatureShare: 0.3 } });
  expect(r.reasons).toEqual(['3/10 features drifted (≥ 30.0%)']);
  const loose = await computeDrift(deps, {
    date: '2026-11-03',
    thresholds: { meanDistanceShift: 100, psi: 100, wassersteinNorm: 100, unassignedIncrease: 1, labelPsi: 100 },
  });
  expect(loose).toMatchObject({ isDrift: false, driftedFeatures: [] });
});

test('the statistics behave at their extremes', () => {
  expect(psi([10, 20, 30], [10, 20, 30])).toBe(0);
  expect(psi([50, 50], [90, 10])).toBeCloseTo(0.4 * Math.log(0.9 / 0.5) + -0.4 * Math.log(0.1 / 0.5), 10);
  expect(gridDistances([5, 5, 0, 0], [0, 0, 5, 5], 1, 1)).toEqual({ ks: 1, wassersteinNorm: 2 });
  expect(categoricalPsi({ a: 5, b: 5 }, { b: 5, a: 5 })).toBe(0);
  // Deciles of a uniform reference fall every 100 of 1000 grid bins.
  expect(quantileBoundaries(Array(1000).fill(3))).toEqual([0, 100, 200, 300, 400, 500, 600, 700, 800, 900]);
});
