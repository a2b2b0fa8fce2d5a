import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import { executeChild, proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../../activities';
import { Attribution } from '../attribution';
import { CleaningReview } from '../cleaning-review';
import { PersonaLabeling } from '../persona-labeling';
import { SHORT } from './activity-options';
import { summarised } from './summarised';

const personaStepReady = summarised(proxyActivities<Activities>(SHORT).personaStepReady, SHORT, (i) => `survey participants landed for ${i.date}?`);

/**
 * The downstream steps of a published day, as children: attribution, then persona labelling
 * when participants landed and a model is active. Their failures do not unpublish gold; each
 * can be re-run on its own for the date.
 */
export async function attribute(date: string, from = date): Promise<string> {
  const out: string[] = [];
  try {
    // `from` is earlier than the day when its files brought late orders or visits (shared/late-data.ts).
    const attribution = await executeChild(Attribution, {
      workflowId: `attribution-${date}`,
      args: [{ from, to: date }],
      staticSummary: from === date ? `Attribution for ${date}` : `Attribution for ${from}..${date} (late data)`,
    });
    out.push(`attribution: ${attribution.summary}`);
  } catch (err) {
    out.push(`attribution FAILED: ${(err as Error).message}`);
  }
  const personas = await personaStepReady({ date });
  if (!personas.ready) return [...out, `personas skipped: ${personas.reason}`].join(' · ');
  try {
    const labelled = await executeChild(PersonaLabeling, { workflowId: `personas-${date}`, args: [{ date }], staticSummary: `Persona labelling for ${date}` });
    out.push(`personas: ${labelled.summary}`);
  } catch (err) {
    out.push(`personas FAILED: ${(err as Error).message}`);
  }
  return out.join(' · ');
}

/** The partition's cleaning review as a child (`cleaning-<date>`: approvers find it by date). */
export async function openReview(date: string): Promise<{ outcome: string; reason: string }> {
  try {
    return await executeChild(CleaningReview, { workflowId: `cleaning-${date}`, args: [{ date }], staticSummary: `Cleaning review for ${date}` });
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError)
      return { outcome: 'already_open', reason: `a review for ${date} is already open (cleaning-${date})` };
    throw err;
  }
}
