import { squaredDistance } from './label-vector';

/**
 * Lloyd's k-means from given seeds: no randomness at all, so the same points and seeds always
 * give the same centroids. Seeding with the active model's centroids keeps persona identities
 * (cluster i continues persona i). An empty cluster keeps its previous centroid.
 */
export interface KMeansResult {
  centroids: number[][];
  assignments: Int32Array;
  inertia: number;
  iterations: number;
}

export function kmeans(points: readonly number[][], seeds: readonly number[][], opts: { maxIterations?: number; tolerance?: number } = {}): KMeansResult {
  const maxIterations = opts.maxIterations ?? 100;
  const tolerance = opts.tolerance ?? 1e-8;
  let centroids = seeds.map((s) => [...s]);
  const assignments = new Int32Array(points.length);
  let iterations = 0;
  for (; iterations < maxIterations; iterations++) {
    assign(points, centroids, assignments);
    const next = centroids.map((c) => c.map(() => 0));
    const counts = new Array<number>(centroids.length).fill(0);
    points.forEach((p, i) => {
      const k = assignments[i];
      counts[k]++;
      p.forEach((v, j) => (next[k][j] += v));
    });
    const moved = next.map((c, k) => (counts[k] ? c.map((v) => v / counts[k]) : centroids[k]));
    const shift = Math.max(...moved.map((c, k) => squaredDistance(c, centroids[k])));
    centroids = moved;
    if (shift <= tolerance) break;
  }
  const inertia = assign(points, centroids, assignments);
  return { centroids, assignments, inertia, iterations };
}

/** Assigns each point to its nearest centroid (ties to the lower index); returns the inertia. */
export function assign(points: readonly number[][], centroids: readonly number[][], out: Int32Array): number {
  let inertia = 0;
  points.forEach((p, i) => {
    let best = 0;
    let bestD = Infinity;
    centroids.forEach((c, k) => {
      const d = squaredDistance(p, c);
      if (d < bestD) {
        bestD = d;
        best = k;
      }
    });
    out[i] = best;
    inertia += bestD;
  });
  return inertia;
}

/** Mean silhouette coefficient (O(n²): call it on a sample of a few thousand points). */
export function silhouette(points: readonly number[][], assignments: Int32Array, k: number): number {
  if (k < 2) return 0;
  let total = 0;
  for (let i = 0; i < points.length; i++) {
    const sums = new Array<number>(k).fill(0);
    const counts = new Array<number>(k).fill(0);
    for (let j = 0; j < points.length; j++) {
      if (i === j) continue;
      sums[assignments[j]] += Math.sqrt(squaredDistance(points[i], points[j]));
      counts[assignments[j]]++;
    }
    const own = assignments[i];
    if (!counts[own]) continue; // a singleton's silhouette is 0 by convention
    const a = sums[own] / counts[own];
    let b = Infinity;
    for (let c = 0; c < k; c++) if (c !== own && counts[c]) b = Math.min(b, sums[c] / counts[c]);
    if (Number.isFinite(b)) total += (b - a) / Math.max(a, b);
  }
  return total / points.length;
}

/** k+1 seeds: the current ones plus the point farthest from all of them. */
export function addFarthestSeed(points: readonly number[][], seeds: readonly number[][]): number[][] {
  let far = 0;
  let farD = -1;
  points.forEach((p, i) => {
    const d = Math.min(...seeds.map((s) => squaredDistance(p, s)));
    if (d > farD) {
      farD = d;
      far = i;
    }
  });
  return [...seeds.map((s) => [...s]), [...points[far]]];
}

/** k-1 seeds: without the seed that attracts the fewest points (ties: the later one). Returns its index too. */
export function dropSmallestSeed(points: readonly number[][], seeds: readonly number[][]): { seeds: number[][]; dropped: number } {
  const out = new Int32Array(points.length);
  assign(points, seeds, out);
  const counts = new Array<number>(seeds.length).fill(0);
  out.forEach((k) => counts[k]++);
  let dropped = 0;
  counts.forEach((c, k) => c <= counts[dropped] && (dropped = k));
  return { seeds: seeds.filter((_, k) => k !== dropped).map((s) => [...s]), dropped };
}
