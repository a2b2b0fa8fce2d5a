import type { CleaningProfile } from './types';
import type { Operation, PlanAnswer } from './vocabulary';

/**
 * The deterministic planner (the default, and the fallback for unusable model answers): take
 * out exactly the rows each failing check flags — quarantined (restorable) unless the feedback
 * asks to drop them. Checks whose rows cannot be flagged get no operation, and the summary says so.
 */
export function rulePlan(profile: CleaningProfile, feedback?: string): PlanAnswer {
  const drop = !!feedback && /\b(drop|delete|discard)\b/i.test(feedback) && !/\b(don'?t|do not|never)\s+(drop|delete|discard)/i.test(feedback);
  const operations: Operation[] = [];
  const unfixable: string[] = [];
  for (const c of profile.checks) {
    if (!c.table) {
      unfixable.push(c.check);
      continue;
    }
    const what = `${c.flaggedRows} of ${c.tableRows} ${c.table} rows fail ${c.check}`;
    operations.push(
      drop
        ? { op: 'drop_flagged_rows', check: c.check, rationale: `${what}; dropped as the reviewer asked` }
        : { op: 'quarantine_flagged_rows', check: c.check, rationale: `${what}; quarantined so they can be inspected and restored` },
    );
  }
  const parts = [
    operations.length
      ? `${drop ? 'Drop' : 'Quarantine'} the rows flagged by ${operations.map((o) => (o as { check: string }).check).join(', ')}.`
      : 'No operation proposed.',
  ];
  if (unfixable.length) parts.push(`No operation in the vocabulary addresses ${unfixable.join(', ')}: fix upstream.`);
  if (feedback) parts.push(`Reviewer feedback: ${feedback.slice(0, 300)}`);
  return { summary: parts.join(' '), operations };
}
