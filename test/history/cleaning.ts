import type { Client, WorkflowHandle } from '@temporalio/client';
import { decide } from '../../lib/approvals/client';
import type { CleaningSubject } from '../../cleaning/types';
import { cleaningApproval } from '../../workflows/cleaning-review';
import { signers } from '../security/approvers';

/**
 * Cleaning decisions in histories (issue #14.5). A person — bob, a configured approver, signing
 * every decision — accepts exactly one kind of plan: the rule planner's "quarantine the rows
 * negative_revenue flags" (refunds booked as sales, planted by `anomaly` orders objects, data.ts).
 * Any other plan (other checks flag rows too, nothing flaggable) is rejected: fix upstream.
 */
export const ACCEPTED_OPERATIONS = [{ op: 'quarantine_flagged_rows', check: 'negative_revenue' }];

/** The operations of a plan, without the planner's prose (rationales change with the counts). */
export function operationsOf(subject: CleaningSubject): { op: string; check?: string }[] {
  return subject.plan.operations.map((o) => ({ op: o.op, ...('check' in o && o.check ? { check: o.check } : {}) }));
}

export const isAcceptedKind = (subject: CleaningSubject) => JSON.stringify(operationsOf(subject)) === JSON.stringify(ACCEPTED_OPERATIONS);

/**
 * Waits for a NightlyPipeline run started with `review: true`; whenever its `cleaning-<date>` review
 * awaits a decision, `choose` decides it (signed by bob). Returns the versions accepted. Polls the
 * review's query (as test/cleaning/support.ts `awaitingPlan` does) until the run has ended.
 */
export async function decideReviews(
  client: Client,
  run: WorkflowHandle,
  date: string,
  choose: (subject: CleaningSubject) => 'accept' | 'reject',
): Promise<{ accepted: CleaningSubject[]; rejected: CleaningSubject[] }> {
  let ended = false;
  const done = run.result().then(
    () => (ended = true),
    () => (ended = true),
  );
  const review = client.workflow.getHandle(`cleaning-${date}`);
  const seen = new Set<string>();
  const accepted: CleaningSubject[] = [];
  const rejected: CleaningSubject[] = [];
  while (!ended) {
    const state = await review.query(cleaningApproval.query).catch(() => undefined);
    if (state?.status === 'AwaitingApproval' && state.subject && state.toSign) {
      const id = `${state.toSign.runId}:${state.version}`;
      if (!seen.has(id)) {
        seen.add(id);
        const decision = choose(state.subject);
        const r = await decide(client, review.workflowId, { decision, reason: `history test: ${decision}` }, signers.bob);
        if (!r.ok) throw new Error(`the ${decision} of plan v${state.version} of cleaning-${date} was refused: ${r.refusal}`);
        (decision === 'accept' ? accepted : rejected).push(state.subject);
        continue;
      }
    }
    await Promise.race([done, new Promise((r) => setTimeout(r, 250))]);
  }
  return { accepted, rejected };
}
