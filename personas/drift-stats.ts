/**
 * The small arithmetic of drift, on counts the warehouse computed (histograms, quantile bins).
 *
 * Default thresholds and why:
 * - psi 0.25: common practice reads PSI < 0.1 as stable, 0.1–0.25 as moderate, > 0.25 as a
 *   significant shift; only the last one counts a feature as drifted (moderate is reported).
 * - wassersteinNorm 0.1: Evidently's default for numeric features on large samples (the
 *   Wasserstein-1 distance divided by the reference's standard deviation).
 * - driftedFeatureShare 0.5: Evidently declares the dataset drifted when ≥ 50 % of features drift.
 * - unassignedIncrease 0.05: five more points in a hundred fitting no persona means the personas
 *   no longer describe a visible part of the population.
 * - meanDistanceShift 0.25: the mean distance to the assigned centroid grew by a quarter —
 *   the clusters became looser or moved away from their centroids.
 * - labelPsi 0.25: the persona mix (incl. unassigned) shifted significantly, same PSI reading.
 * The KS statistic is reported for every feature but not used to decide: on samples of our size
 * it flags differences too small to matter (with a threshold it can be enabled via `ks`).
 */
export interface DriftThresholds {
  psi: number;
  wassersteinNorm: number;
  ks: number | null;
  driftedFeatureShare: number;
  unassignedIncrease: number;
  meanDistanceShift: number;
  labelPsi: number;
}

export const DEFAULT_DRIFT_THRESHOLDS: DriftThresholds = {
  psi: 0.25,
  wassersteinNorm: 0.1,
  ks: null,
  driftedFeatureShare: 0.5,
  unassignedIncrease: 0.05,
  meanDistanceShift: 0.25,
  labelPsi: 0.25,
};

/** Keeps empty bins from making PSI infinite (a common 1e-4 floor on shares). */
const FLOOR = 1e-4;

/** Population stability index of two count vectors over the same bins. */
export function psi(reference: readonly number[], current: readonly number[]): number {
  const nr = sum(reference);
  const nc = sum(current);
  let out = 0;
  for (let i = 0; i < reference.length; i++) {
    const r = Math.max(reference[i] / nr, FLOOR);
    const c = Math.max(current[i] / nc, FLOOR);
    out += (c - r) * Math.log(c / r);
  }
  return out;
}

/** Both statistics from histograms on one common grid of equal-width bins (exact to one bin). */
export function gridDistances(
  reference: readonly number[],
  current: readonly number[],
  binWidth: number,
  referenceStd: number,
): { ks: number; wassersteinNorm: number } {
  const nr = sum(reference);
  const nc = sum(current);
  let fr = 0;
  let fc = 0;
  let ks = 0;
  let w = 0;
  for (let i = 0; i < reference.length; i++) {
    fr += reference[i] / nr;
    fc += current[i] / nc;
    ks = Math.max(ks, Math.abs(fr - fc));
    w += Math.abs(fr - fc) * binWidth;
  }
  return { ks, wassersteinNorm: referenceStd > 0 ? w / referenceStd : 0 };
}

/** PSI of two categorical distributions given as name → count (missing names count 0). */
export function categoricalPsi(reference: Record<string, number>, current: Record<string, number>): number {
  const names = [...new Set([...Object.keys(reference), ...Object.keys(current)])].sort();
  return psi(
    names.map((n) => reference[n] ?? 0),
    names.map((n) => current[n] ?? 0),
  );
}

export interface FeatureDrift {
  feature: string;
  psi: number;
  ks: number;
  wassersteinNorm: number;
  referenceMean: number;
  currentMean: number;
  drifted: boolean;
}

export function isFeatureDrifted(f: Omit<FeatureDrift, 'drifted'>, t: DriftThresholds): boolean {
  return f.psi > t.psi || f.wassersteinNorm > t.wassersteinNorm || (t.ks !== null && f.ks > t.ks);
}

export interface LabelShift {
  unassignedShare: number;
  referenceUnassignedShare: number;
  /** (current - reference) / reference mean distance to the assigned centroid. */
  meanDistanceShift: number;
  labelPsi: number;
}

/** The dataset-level decision, with every reason that contributed (none → no drift). */
export function decideDrift(
  features: FeatureDrift[],
  labels: LabelShift | null,
  t: DriftThresholds,
): { isDrift: boolean; reasons: string[]; driftedShare: number } {
  const drifted = features.filter((f) => f.drifted);
  const driftedShare = features.length ? drifted.length / features.length : 0;
  const reasons: string[] = [];
  const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
  if (driftedShare >= t.driftedFeatureShare) reasons.push(`${drifted.length}/${features.length} features drifted (≥ ${pct(t.driftedFeatureShare)})`);
  if (labels) {
    const inc = labels.unassignedShare - labels.referenceUnassignedShare;
    if (inc > t.unassignedIncrease)
      reasons.push(`unassigned share ${pct(labels.unassignedShare)} vs ${pct(labels.referenceUnassignedShare)} (+${pct(inc)} > ${pct(t.unassignedIncrease)})`);
    if (labels.meanDistanceShift > t.meanDistanceShift)
      reasons.push(`mean distance to assigned centroid +${pct(labels.meanDistanceShift)} (> ${pct(t.meanDistanceShift)})`);
    if (labels.labelPsi > t.labelPsi) reasons.push(`persona mix PSI ${labels.labelPsi.toFixed(3)} (> ${t.labelPsi})`);
  }
  return { isDrift: reasons.length > 0, reasons, driftedShare };
}

const sum = (xs: readonly number[]) => xs.reduce((s, x) => s + x, 0);
