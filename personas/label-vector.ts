import type { PersonaModel } from './model';
import { UNASSIGNED } from './model';

export interface VectorLabel {
  persona: string;
  nearest: string;
  distance: number;
  /** Distance to the second-nearest persona minus distance to the nearest (≥ 0). */
  margin: number;
  modelVersion: number;
}

/**
 * Labels one vector exactly as sql/ml/label_participants.sql does (standardised Euclidean
 * distance, nearest persona, ties to the earlier persona), for the real-time endpoint and for
 * k-means evaluation. `values` are in the model's feature order.
 */
export function labelVector(model: Pick<PersonaModel, 'personas' | 'scaling' | 'version'>, values: readonly number[], threshold: number): VectorLabel {
  const z = standardise(model.scaling, values);
  const distances = model.personas.map((p) => Math.sqrt(squaredDistance(z, standardise(model.scaling, p.centroid))));
  // The first persona is the nearest until a strictly nearer one comes (ties to the lower id, as
  // the SQL); so a vector whose distances all overflow to Infinity still names one.
  let best = 0;
  distances.forEach((d, i) => (d < distances[best] ? (best = i) : undefined));
  const d1 = distances[best];
  const d2 = Math.min(...distances.filter((_, i) => i !== best));
  const nearest = model.personas[best].name;
  return { persona: !(d1 <= threshold) ? UNASSIGNED : nearest, nearest, distance: d1, margin: d1 === d2 ? 0 : d2 - d1, modelVersion: model.version };
}

export function standardise(scaling: { mean: readonly number[]; std: readonly number[] }, values: readonly number[]): number[] {
  return values.map((v, i) => (v - scaling.mean[i]) / scaling.std[i]);
}

export function squaredDistance(a: readonly number[], b: readonly number[]): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i] - b[i]) ** 2;
  return s;
}
