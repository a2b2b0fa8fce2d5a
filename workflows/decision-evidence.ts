import { proxyActivities } from '@temporalio/workflow';
import { z } from 'zod';
import type { ConsoleActivities } from '../activities/console';
import type { DecisionHistoryRow } from '../activities/console/overview';
import type { CleaningPlan } from '../cleaning/vocabulary';
import { isoDate } from '../lib/dates';
import { LONG_SQL, SHORT } from './shared/activity-options';
import { parseInput } from './shared/input';

const { sampleCleaningPlan } = proxyActivities<ConsoleActivities>(LONG_SQL);
const { readDecisionHistory } = proxyActivities<ConsoleActivities>(SHORT);

export const decisionEvidenceInput = z
  .object({
    kind: z.enum(['cleaning_plan', 'persona_model']),
    workflowId: z.string().min(1).max(200),
    runId: z.string().min(1).max(100).optional(),
    date: isoDate.optional(),
    /** The plan shown to the approver, when its sample rows are not stored yet. Compiled like any plan: no SQL from input. */
    plan: z.custom<CleaningPlan>((v) => typeof v === 'object' && v !== null && Array.isArray((v as CleaningPlan).operations)).optional(),
  })
  .strict();

export interface DecisionEvidence {
  /** Object-store key of the plan's before/after sample rows (PlanSamples JSON). */
  samplesKey?: string;
  history: DecisionHistoryRow[];
}

/**
 * What the console's decision page needs from the warehouse: sample rows before/after each
 * operation (written to the object store, so rows never enter this history) and the earlier
 * decisions on the same partition.
 */
export async function DecisionEvidence(rawInput: z.input<typeof decisionEvidenceInput>): Promise<DecisionEvidence> {
  const input = parseInput(decisionEvidenceInput, rawInput, 'DecisionEvidence');
  const out: DecisionEvidence = { history: [] };
  if (input.plan && input.date && input.runId) {
    const samples = await sampleCleaningPlan.executeWithOptions({ ...LONG_SQL, summary: `sample rows of plan v${input.plan.version} for ${input.date}` }, [
      { workflowId: input.workflowId, runId: input.runId, date: input.date, plan: input.plan },
    ]);
    out.samplesKey = samples.key;
  }
  out.history = await readDecisionHistory.executeWithOptions({ ...SHORT, summary: `earlier decisions${input.date ? ` on ${input.date}` : ''}` }, [
    { kind: input.kind, date: input.date },
  ]);
  return out;
}
