import { ApplicationFailure } from '@temporalio/workflow';
import type { z } from 'zod';

/**
 * Validates a workflow's input at the top of the workflow. A bad input fails the workflow
 * (not just its task) with one readable, non-retryable message naming every problem, e.g.
 * `NightlyPipeline input: date: is not a real calendar date; unknown key "dat"`.
 */
export function parseInput<S extends z.ZodType>(schema: S, raw: unknown, workflowType: string): z.infer<S> {
  const result = checkInput(schema, raw, workflowType);
  if (result.ok) return result.data;
  throw ApplicationFailure.nonRetryable(result.message, 'InvalidInput');
}

/**
 * The same check without throwing, for callers outside workflows: the CLI validates what it is
 * about to start with the workflow's own schema and prints exactly the workflow's message.
 */
export function checkInput<S extends z.ZodType>(
  schema: S,
  raw: unknown,
  workflowType: string,
): { ok: true; data: z.infer<S> } | { ok: false; message: string } {
  const result = schema.safeParse(raw ?? {});
  if (result.success) return { ok: true, data: result.data };
  const problems = result.error.issues.map((i) => {
    if (i.code === 'unrecognized_keys') return i.keys.map((k) => `unknown key ${JSON.stringify(k)}`).join('; ');
    const where = i.path.length ? i.path.join('.') : 'input';
    return `${where}: ${i.message}`;
  });
  return { ok: false, message: `${workflowType} input: ${problems.join('; ')}` };
}

/** 1234567 → "1,234,567" without Intl (kept deterministic and tiny for the workflow sandbox). */
export function fmt(n: number): string {
  return Math.round(n)
    .toString()
    .replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}
