import { macrosFor, registerMacros } from '../lib/sql/render';

/**
 * Dialect macros the persona SQL needs beyond the shared set. Added (not replacing anything)
 * to the shared registry on first use; they belong in lib/sql/macros-*.ts once merged there.
 */
const PERSONA_MACROS = {
  duckdb: {
    /** Second-smallest value of a group (NULL for a group of one). */
    second_smallest: (col: string) => `min(${col}, 2)[2]`,
    try_date: (col: string) => `try_cast(${col} as date)`,
    /** NULL, NaN and ±Infinity are all "not a usable number". */
    is_finite: (col: string) => `coalesce(isfinite(${col}), false)`,
  },
} as const;

export function ensurePersonaMacros(): void {
  const current = macrosFor('duckdb');
  if (!current.second_smallest || !current.is_finite) registerMacros('duckdb', { ...current, ...PERSONA_MACROS.duckdb });
}
