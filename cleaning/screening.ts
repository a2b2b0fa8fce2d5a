import type { CleaningProfile } from './types';
import type { Operation, PlanAnswer } from './vocabulary';

/**
 * Catches model answers that are well-formed but not to be trusted: more operations than the
 * failing checks call for, operations on checks or tables nobody asked about, or text that reads
 * like instructions (typically copied from a hostile data value in the sample). Returns the
 * reasons; empty means the plan may go on to compilation and a dry run.
 */
const INSTRUCTION =
  /\b(ignore|disregard|forget)\b.{0,40}\b(instructions?|previous|above|rules?|prompt)\b|\bsystem prompt\b|\byou are now\b|\bnew instructions?\b|;\s*(drop|delete|truncate|update|insert|alter)\b|--|\/\*/i;

export function maxOperations(profile: CleaningProfile): number {
  return Math.max(2, 2 * profile.failedChecks.length);
}

export function screenPlan(answer: PlanAnswer, profile: CleaningProfile): string[] {
  const reasons: string[] = [];
  const limit = maxOperations(profile);
  if (answer.operations.length > limit)
    reasons.push(`${answer.operations.length} operations for ${profile.failedChecks.length} failing checks (at most ${limit})`);
  const failing = new Set(profile.failedChecks);
  const flaggedTables = new Set(profile.checks.map((c) => c.table).filter(Boolean));
  answer.operations.forEach((op, i) => {
    const check = checkOf(op);
    if (check && !failing.has(check)) reasons.push(`operation ${i + 1} (${op.op}) targets check ${JSON.stringify(check.slice(0, 63))}, which is not failing`);
    if ('table' in op && !flaggedTables.has(op.table)) reasons.push(`operation ${i + 1} (${op.op}) changes ${op.table}, which no failing check flags`);
  });
  for (const text of strings(answer)) {
    if (INSTRUCTION.test(text)) {
      reasons.push(`the answer contains instruction-like text: ${JSON.stringify(text.slice(0, 80))}`);
      break;
    }
  }
  return reasons;
}

function checkOf(op: Operation): string | null {
  return 'check' in op ? op.check : null;
}

function strings(v: unknown): string[] {
  if (typeof v === 'string') return [v];
  if (Array.isArray(v)) return v.flatMap(strings);
  if (v && typeof v === 'object') return Object.values(v).flatMap(strings);
  return [];
}
