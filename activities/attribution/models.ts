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

/** The settings a result depends on (besides the window); they are columns of gold.attribution. */
export interface AttributionSettings {
  halfLifeDays: number;
  firstWeight: number;
  lastWeight: number;
}
export const DEFAULT_SETTINGS: AttributionSettings = {
  halfLifeDays: DEFAULT_HALF_LIFE_DAYS,
  firstWeight: DEFAULT_POSITION_WEIGHTS.first,
  lastWeight: DEFAULT_POSITION_WEIGHTS.last,
};
export const isDefaultSettings = (s: AttributionSettings) =>
  s.halfLifeDays === DEFAULT_SETTINGS.halfLifeDays && s.firstWeight === DEFAULT_SETTINGS.firstWeight && s.lastWeight === DEFAULT_SETTINGS.lastWeight;

/** One line for summaries: `half-life 7 d, position 40 % first, 40 % last` (no "40/40": the Temporal UI's Markdown makes it a fraction). */
export const describeSettings = (s: AttributionSettings) =>
  `half-life ${s.halfLifeDays} d, position ${Math.round(s.firstWeight * 100)} % first, ${Math.round(s.lastWeight * 100)} % last`;

/**
 * Object-store prefix of a run's report: `reports/attribution/<from>_<to>/` for the default
 * settings, `…/<from>_<to>_hl3.5_pos30-50/` for others, so a manual run never overwrites the
 * defaults' report.
 */
export const reportPrefix = (from: string, to: string, settings: AttributionSettings = DEFAULT_SETTINGS) =>
  isDefaultSettings(settings)
    ? `reports/attribution/${from}_${to}/`
    : `reports/attribution/${from}_${to}_hl${settings.halfLifeDays}_pos${Math.round(settings.firstWeight * 100)}-${Math.round(settings.lastWeight * 100)}/`;
