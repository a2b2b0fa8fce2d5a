import type { CleaningPlan } from './vocabulary';
import type { CleaningProfile, DryRunResult, Verdict } from './types';

/** Largest share of a table's partition a plan may remove before the judge objects. */
export const MAX_REMOVED_SHARE = 0.05;

/**
 * The deterministic judge: approves a plan only when its dry run made every failing check pass,
 * broke no other check, ran every operation, and removed no more rows than the checks flagged
 * (and at most 5% of any table).
 */
export function ruleVerdict(plan: CleaningPlan, profile: CleaningProfile, dry: DryRunResult): Omit<Verdict, 'judge'> {
  const problems: string[] = [];
  const notes: string[] = [];
  if (!plan.operations.length) problems.push('the plan does nothing');
  for (const r of dry.refused) problems.push(`operation ${r.index + 1} was refused: ${r.reason}`);
  for (const c of dry.stillFailing) problems.push(`${c} still fails after the plan`);
  for (const c of dry.newlyFailing) problems.push(`${c} passed before and fails after the plan`);
  const flaggedByTable: Record<string, number> = {};
  for (const c of profile.checks) if (c.table) flaggedByTable[c.table] = (flaggedByTable[c.table] ?? 0) + (c.flaggedRows ?? 0);
  for (const [table, before] of Object.entries(dry.rowsBefore)) {
    const removed = before - dry.rowsAfter[table as keyof typeof dry.rowsAfter];
    if (removed <= 0) continue;
    const derived = dry.rebuilt.includes(table);
    if (!derived && removed > (flaggedByTable[table] ?? 0))
      problems.push(`${table} loses ${removed} rows, more than the ${flaggedByTable[table] ?? 0} the failing checks flag`);
    if (before > 0 && removed / before > MAX_REMOVED_SHARE)
      problems.push(`${table} loses ${((100 * removed) / before).toFixed(1)}% of its rows (limit ${MAX_REMOVED_SHARE * 100}%)`);
    notes.push(`${table}: ${before} → ${before - removed} rows${derived ? ' (rebuilt)' : ''}`);
  }
  if (problems.length) return { verdict: 'reject', reasons: problems };
  return { verdict: 'approve', reasons: [`every failing check passes on the dry run (${profile.failedChecks.join(', ')})`, ...notes] };
}
