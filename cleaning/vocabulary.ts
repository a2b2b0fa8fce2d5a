import { z } from 'zod';

/**
 * The closed vocabulary of cleaning operations. A plan (from the rule planner or a model) is an
 * ordered list of these and nothing else; each compiles to parameterised SQL from a template in
 * sql/cleaning/ (cleaning/compiler.ts). Every field is required (nullable where optional) so the
 * same schema serves as an OpenAI strict structured-output format.
 */
export const CLEANABLE_TABLES = ['events', 'sessions', 'orders', 'order_items'] as const;
export type CleanableTable = (typeof CLEANABLE_TABLES)[number];

const table = z.enum(CLEANABLE_TABLES);
// Shape only; whether the column exists is checked against information_schema at compile time.
const column = z.string().min(1).max(63);
const check = z.string().min(1).max(63);
const rationale = z.string().min(1).max(500);

export const operationSchema = z.discriminatedUnion('op', [
  z.object({ op: z.literal('drop_flagged_rows'), check, rationale }).strict(),
  z.object({ op: z.literal('quarantine_flagged_rows'), check, rationale }).strict(),
  z.object({ op: z.literal('set_null'), table, column, check: check.nullable(), rationale }).strict(),
  z.object({ op: z.literal('clamp_to_range'), table, column, min: z.number().nullable(), max: z.number().nullable(), rationale }).strict(),
  z
    .object({ op: z.literal('dedupe_on_keys'), table, keys: z.array(column).min(1).max(4), orderBy: column, keep: z.enum(['first', 'last']), rationale })
    .strict(),
  z
    .object({
      op: z.literal('shift_timezone'),
      table,
      column,
      fromZone: z.string().min(1).max(64),
      toZone: z.string().min(1).max(64),
      check: check.nullable(),
      rationale,
    })
    .strict(),
  z.object({ op: z.literal('fill_default'), table, column, value: z.union([z.string().max(200), z.number(), z.boolean()]), rationale }).strict(),
]);
export type Operation = z.infer<typeof operationSchema>;
export type OperationKind = Operation['op'];

/** What a planner returns (and what a model must answer). */
export const planAnswerSchema = z.object({ summary: z.string().max(1000), operations: z.array(operationSchema).max(20) }).strict();
export type PlanAnswer = z.infer<typeof planAnswerSchema>;

export interface CleaningPlan extends PlanAnswer {
  version: number;
  /** Which backend produced it, and why the rule planner stood in when it did. */
  planner: 'rules' | 'openai';
  fallbackReason?: string;
  feedback?: string;
  /**
   * The plan a person accepted for this partition before, which this one would replace (e.g. it no
   * longer applies to a changed delivery): shown to the approver beside the new plan.
   */
  previousDecision?: {
    version: number;
    acceptedBy: string;
    reason: string | null;
    acceptedAt: string;
    reviewWorkflowId: string;
    operations: string[];
    notApplicable: string | null;
  };
}

/** One-line human description of an operation (CLI, UI details, audit). */
export function describeOperation(op: Operation): string {
  switch (op.op) {
    case 'drop_flagged_rows':
      return `drop the rows ${op.check} flags`;
    case 'quarantine_flagged_rows':
      return `quarantine the rows ${op.check} flags (kept in ops.cleaning_quarantine)`;
    case 'set_null':
      return `set ${op.table}.${op.column} to NULL${op.check ? ` where ${op.check} flags the row` : ''}`;
    case 'clamp_to_range':
      return `clamp ${op.table}.${op.column} to [${op.min ?? '-∞'}, ${op.max ?? '+∞'}]`;
    case 'dedupe_on_keys':
      return `deduplicate ${op.table} on (${op.keys.join(', ')}) keeping the ${op.keep} by ${op.orderBy}`;
    case 'shift_timezone':
      return `shift ${op.table}.${op.column} from ${op.fromZone} to ${op.toZone}${op.check ? ` where ${op.check} flags the row` : ''}`;
    case 'fill_default':
      return `fill NULL ${op.table}.${op.column} with ${JSON.stringify(op.value)}`;
  }
}
