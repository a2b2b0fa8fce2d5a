/**
 * The attribution models and their defaults. No imports: workflow code (the Attribution input
 * schema) and activity code share this file.
 */
export const ATTRIBUTION_MODELS = ['first_touch', 'last_touch', 'last_non_direct', 'linear', 'time_decay', 'position_based'] as const;
export type AttributionModel = (typeof ATTRIBUTION_MODELS)[number];

export const DEFAULT_WINDOWS = [7, 30] as const;
export const DEFAULT_HALF_LIFE_DAYS = 7;
export const DEFAULT_POSITION_WEIGHTS = { first: 0.4, last: 0.4 } as const;

/** The channel credited with conversions that have no touch in the window. */
export const UNATTRIBUTED = 'unattributed';

/** Object-store prefix of a run's report: `reports/attribution/<from>_<to>/`. */
export const reportPrefix = (from: string, to: string) => `reports/attribution/${from}_${to}/`;
