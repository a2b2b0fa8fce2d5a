import { gridDistances, isFeatureDrifted, psi, type DriftThresholds, type FeatureDrift } from './drift-stats';

/**
 * Per-feature drift from one fine histogram of both samples on a common grid (computed in the
 * warehouse). PSI uses quantile bins of the reference: the grid boundaries nearest to the
 * reference deciles, so each PSI bin holds ~10 % of the reference (to within one grid bin),
 * and no second pass over the data is needed.
 */
export const GRID_BINS = 1000;
export const PSI_BINS = 10;

export interface SampleSummary {
  n: number;
  mean: number;
  std: number;
  min: number;
  max: number;
}

export interface Grid {
  lo: number;
  width: number;
  bins: number;
}

/** A grid spanning both samples (a constant feature gets a unit-wide grid). */
export function commonGrid(reference: SampleSummary, current: SampleSummary, bins = GRID_BINS): Grid {
  const lo = Math.min(reference.min, current.min);
  const hi = Math.max(reference.max, current.max);
  const width = hi > lo ? (hi - lo) / bins : 1 / bins;
  // The top value must land in the last bin, not one past it (the SQL clamps as well).
  return { lo, width: width * (1 + 1e-9), bins };
}

/** Indices where each PSI bin starts (first is 0), from the reference's cumulative share. */
export function quantileBoundaries(reference: readonly number[], parts = PSI_BINS): number[] {
  const total = reference.reduce((s, x) => s + x, 0);
  const starts = [0];
  let cum = 0;
  for (let i = 0; i < reference.length - 1; i++) {
    cum += reference[i];
    const next = starts.length / parts;
    if (starts.length < parts && cum / total >= next) starts.push(i + 1);
  }
  return starts;
}

export function regroup(counts: readonly number[], starts: readonly number[]): number[] {
  return starts.map((s, k) => counts.slice(s, k + 1 < starts.length ? starts[k + 1] : counts.length).reduce((a, b) => a + b, 0));
}

export function featureDrift(
  feature: string,
  ref: SampleSummary,
  cur: SampleSummary,
  grid: Grid,
  refCounts: number[],
  curCounts: number[],
  t: DriftThresholds,
): FeatureDrift {
  const starts = quantileBoundaries(refCounts);
  const f = {
    feature,
    psi: psi(regroup(refCounts, starts), regroup(curCounts, starts)),
    ...gridDistances(refCounts, curCounts, grid.width, ref.std),
    referenceMean: ref.mean,
    currentMean: cur.mean,
  };
  return { ...f, drifted: isFeatureDrifted(f, t) };
}
