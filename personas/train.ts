import { addFarthestSeed, assign, dropSmallestSeed, kmeans, silhouette } from './kmeans';
import { squaredDistance, standardise } from './label-vector';
import type { ModelDraft, PersonaModel } from './model';

/**
 * Retraining on a window sample, pure: scaler from the sample, k-means seeded with the active
 * centroids (deterministic), optionally k-1 / k / k+1 chosen by silhouette, and the comparison
 * a person needs to decide: inertia and silhouette of both models on the same points, how far
 * each persona's centroid moved, and how many points keep their persona (label stability).
 */
export interface TrainOptions {
  compareK: boolean;
  /** Points used for silhouettes (O(n²)). */
  silhouetteSample: number;
}

export interface Comparison {
  k: number;
  triedK: Record<string, number>;
  candidate: { inertia: number; silhouette: number };
  active: { version: number; inertia: number; silhouette: number };
  centroidShift: Record<string, number>;
  labelStability: number;
  sampleSize: number;
}

export function trainCandidate(active: PersonaModel, rows: number[][], opts: TrainOptions): { draft: Omit<ModelDraft, 'source'>; comparison: Comparison } {
  const scaling = scalerOf(rows);
  const points = rows.map((r) => standardise(scaling, r));
  const seeds = active.personas.map((p) => standardise(scaling, p.centroid));
  const names = active.personas.map((p) => p.name);
  const small = points.slice(0, opts.silhouetteSample);
  const options: { k: number; seeds: number[][]; names: string[] }[] = [{ k: seeds.length, seeds, names }];
  if (opts.compareK) {
    const less = dropSmallestSeed(points, seeds);
    options.push({ k: seeds.length - 1, seeds: less.seeds, names: names.filter((_, i) => i !== less.dropped) });
    options.push({ k: seeds.length + 1, seeds: addFarthestSeed(points, seeds), names: [...names, `New persona ${seeds.length + 1}`] });
  }
  const tried = options.map((o) => {
    const fit = kmeans(points, o.seeds);
    return { ...o, fit, silhouette: silhouette(small, fit.assignments.slice(0, small.length), o.k) };
  });
  // The same k wins unless another k has a clearly better silhouette (> 0.02).
  const best = tried.reduce((b, t) => (t.silhouette > b.silhouette + 0.02 ? t : b), tried[0]);
  const activeAssign = new Int32Array(points.length);
  const activeInertia = assign(points, seeds, activeAssign);
  const stable = best.fit.assignments.reduce((s, k, i) => s + (best.names[k] === names[activeAssign[i]] ? 1 : 0), 0);
  const centroidShift = Object.fromEntries(
    best.names.filter((n) => names.includes(n)).map((n) => [n, Math.sqrt(squaredDistance(best.fit.centroids[best.names.indexOf(n)], seeds[names.indexOf(n)]))]),
  );
  const raw = (z: number[]) => z.map((v, j) => v * scaling.std[j] + scaling.mean[j]);
  return {
    draft: { features: active.features, scaling, personas: best.fit.centroids.map((c, k) => ({ name: best.names[k], centroid: raw(c) })) },
    comparison: {
      k: best.k,
      triedK: Object.fromEntries(tried.map((t) => [String(t.k), round(t.silhouette)])),
      candidate: { inertia: round(best.fit.inertia), silhouette: round(best.silhouette) },
      active: {
        version: active.version,
        inertia: round(activeInertia),
        silhouette: round(silhouette(small, activeAssign.slice(0, small.length), seeds.length)),
      },
      centroidShift: Object.fromEntries(Object.entries(centroidShift).map(([n, d]) => [n, round(d)])),
      labelStability: round(stable / Math.max(points.length, 1)),
      sampleSize: points.length,
    },
  };
}

export function scalerOf(rows: number[][]): { mean: number[]; std: number[] } {
  const n = rows.length;
  const dims = rows[0]?.length ?? 0;
  const mean = Array.from({ length: dims }, (_, j) => rows.reduce((s, r) => s + r[j], 0) / n);
  const std = mean.map((m, j) => Math.sqrt(rows.reduce((s, r) => s + (r[j] - m) ** 2, 0) / Math.max(n - 1, 1)) || 1);
  return { mean, std };
}

const round = (x: number) => Math.round(x * 1e4) / 1e4;
