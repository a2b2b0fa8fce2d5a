import { z } from 'zod';

/**
 * Which columns of an MMM dataset play which role (Robyn's vocabulary). Pure: the RobynMmm
 * workflow validates its input with these schemas, the activities use the types.
 */
const column = z.string().regex(/^[A-Za-z_][A-Za-z0-9_.]{0,62}$/, 'must be a column name (letters, digits, _ and .)');

export const mmmVariables = z
  .object({
    /** The week column (one row per week, YYYY-MM-DD). */
    date: column,
    depVar: column,
    depVarType: z.enum(['revenue', 'conversion']).default('revenue'),
    paidMediaSpends: z.array(column).min(1),
    /** Exposure metric per spend (impressions, clicks), same order; default: the spends. */
    paidMediaVars: z.array(column).min(1).optional(),
    contextVars: z.array(column).default([]),
    organicVars: z.array(column).default([]),
    /** Context/organic columns holding categories (e.g. "na", "event2") rather than numbers. */
    factorVars: z.array(column).default([]),
  })
  .strict()
  .refine((v) => !v.paidMediaVars || v.paidMediaVars.length === v.paidMediaSpends.length, {
    message: 'must name one exposure column per spend column',
    path: ['paidMediaVars'],
  });
export type MmmVariables = z.infer<typeof mmmVariables>;

/** The warehouse dataset's columns (sql/mmm/weekly_dataset.sql over gold + mmm.ad_spend). */
export const GOLD_VARIABLES: MmmVariables = {
  date: 'week_start',
  depVar: 'revenue',
  depVarType: 'revenue',
  paidMediaSpends: ['paid_search_spend', 'paid_social_spend', 'display_spend'],
  paidMediaVars: ['paid_search_clicks', 'paid_social_impressions', 'display_impressions'],
  contextVars: ['competitor_index', 'is_promo_week'],
  organicVars: ['newsletter_sends'],
  factorVars: [],
};

const tableName = z.string().regex(/^[a-z_][a-z0-9_]{0,62}\.[a-z_][a-z0-9_]{0,62}$/, 'must be a table name like schema.table (lowercase letters, digits, _)');

/**
 * Where the dataset comes from: published gold plus mmm.ad_spend (demo spend generated first
 * unless `demoSpend: false`), a warehouse table (a name, never SQL), or a CSV in the object store.
 */
export const mmmSource = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('gold'), demoSpend: z.boolean().default(true), seed: z.number().int().default(42) }).strict(),
  z.object({ kind: z.literal('table'), table: tableName, variables: mmmVariables }).strict(),
  z.object({ kind: z.literal('csv'), key: z.string().min(1).max(1024), variables: mmmVariables }).strict(),
]);
export type MmmSource = z.infer<typeof mmmSource>;

export function describeSource(source: MmmSource): string {
  if (source.kind === 'gold') return 'gold';
  return source.kind === 'table' ? `table:${source.table}` : `csv:${source.key}`;
}

export const variablesOf = (source: MmmSource): MmmVariables => (source.kind === 'gold' ? GOLD_VARIABLES : source.variables);

/** Robyn's per-channel hyperparameters (geometric adstock) and the global ones the runner accepts. */
const HYPER_SUFFIXES = ['alphas', 'gammas', 'thetas'] as const;

/**
 * Problems with hyperparameter overrides, named key by key, checked before anything launches
 * (the runner checks the same in infra/robyn/job_config.py, but only once a job has started):
 * keys are `<channel>_alphas|gammas|thetas` for the spend and organic channels, `train_size`, `lambda`.
 */
export function hyperparameterProblems(given: Record<string, [number, number]> | undefined, v: MmmVariables): string[] {
  if (!given) return [];
  const channels = [...v.paidMediaSpends, ...v.organicVars];
  const known = new Set([...channels.flatMap((c) => HYPER_SUFFIXES.map((s) => `${c}_${s}`)), 'train_size', 'lambda']);
  return Object.entries(given).flatMap(([key, [lo, hi]]) => {
    if (!known.has(key))
      return [`unknown key ${JSON.stringify(key)} (expected <channel>_alphas|gammas|thetas for ${channels.join(', ')}, train_size or lambda)`];
    return lo > hi ? [`${key}: low ${lo} is above high ${hi}`] : [];
  });
}
