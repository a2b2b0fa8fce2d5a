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
  let best = -1;
  let d1 = Infinity;
  let d2 = Infinity;
  model.personas.forEach((p, i) => {
    const d = Math.sqrt(squaredDistance(z, standardise(model.scaling, p.centroid)));
    if (d < d1) {
      d2 = d1;
      d1 = d;
      best = i;
    } else if (d < d2) d2 = d;
  });
  const nearest = model.personas[best].name;
  return { persona: d1 > threshold ? UNASSIGNED : nearest, nearest, distance: d1, margin: d2 - d1, modelVersion: model.version };
}

export function standardise(scaling: { mean: readonly number[]; std: readonly number[] }, values: readonly number[]): number[] {
  return values.map((v, i) => (v - scaling.mean[i]) / scaling.std[i]);
}

export function squaredDistance(a: readonly number[], b: readonly number[]): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i] - b[i]) ** 2;
  return s;
}
