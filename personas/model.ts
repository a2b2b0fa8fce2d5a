import { z } from 'zod';

/**
 * A persona model as stored in the registry artifact (`ml/personas/v<N>.json`) and used by the
 * HTTP endpoint. Centroids are in raw feature units; distances are computed on features
 * standardised with `scaling` ((x - mean) / std), so a feature with a wide range does not
 * dominate the distance.
 */
export const FEATURES = ['x1', 'x2', 'x3', 'x4', 'x5', 'x6', 'x7', 'x8', 'x9', 'x10'] as const;
export type Feature = (typeof FEATURES)[number];

const finite = z.number().refine(Number.isFinite, 'must be a finite number');

export const personaSchema = z.object({ name: z.string().trim().min(1).max(100), centroid: z.array(finite) });
export const scalingSchema = z.object({ mean: z.array(finite), std: z.array(finite.refine((s) => s > 0, 'must be > 0')) });

export const personaModelSchema = z
  .object({
    version: z.number().int().min(1),
    features: z.array(z.string()).min(1),
    personas: z.array(personaSchema).min(2),
    scaling: scalingSchema,
    source: z.string(),
    createdAt: z.string(),
    /**
     * Distance beyond which a point is `unassigned`, in the units of this model's distance. Absent:
     * DEFAULT_UNASSIGNED_THRESHOLD, which assumes a real scaler (standardised units). A vendor model
     * without a scaler measures raw units and must bring its own (`dag personas import --threshold`).
     */
    threshold: z.number().positive().finite().optional(),
  })
  .superRefine((m, ctx) => {
    const n = m.features.length;
    m.personas.forEach((p, i) => p.centroid.length !== n && ctx.addIssue({ code: 'custom', path: ['personas', i, 'centroid'], message: `needs ${n} values` }));
    if (m.scaling.mean.length !== n || m.scaling.std.length !== n) ctx.addIssue({ code: 'custom', path: ['scaling'], message: `needs ${n} means and stds` });
    if (new Set(m.personas.map((p) => p.name)).size !== m.personas.length)
      ctx.addIssue({ code: 'custom', path: ['personas'], message: 'persona names must be unique' });
  });
export type PersonaModel = z.infer<typeof personaModelSchema>;

/** A model before it has a version (what a vendor file or a training run produces). */
export type ModelDraft = Omit<PersonaModel, 'version' | 'createdAt'>;

/**
 * Default distance above which a point is `unassigned`, in standardised units. A participant who
 * sits one standard deviation away from a centroid on every one of 10 features is at sqrt(10) ≈ 3.2;
 * 3.5 leaves room for that and flags points that fit no persona on several features at once.
 */
export const DEFAULT_UNASSIGNED_THRESHOLD = 3.5;

/** The threshold labelling uses: the caller's, else the model's own, else the default. */
export const thresholdOf = (model: { threshold?: number | null }, override?: number): number => override ?? model.threshold ?? DEFAULT_UNASSIGNED_THRESHOLD;

export const UNASSIGNED = 'unassigned';

export const artifactKey = (version: number) => `ml/personas/v${version}.json`;

/** Names the active version in the object store, so readers (the HTTP endpoint) need no warehouse. */
export const ACTIVE_POINTER_KEY = 'ml/personas/active.json';
