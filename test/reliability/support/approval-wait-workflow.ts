// Test-only workflow: the shared approval wait (workflows/shared/approval.ts) on its own, so its
// timing policy can be pinned without a cleaning review or a persona retrain around it.
import { createApproval, type DecisionRecord } from '../../../workflows/shared/approval';
import type { PersonaCandidateSubject } from '../../../workflows/retrain-personas';

/** A persona model awaiting a decision, as RetrainPersonas presents one (the notices read it). */
const SUBJECT: PersonaCandidateSubject = {
  candidateVersion: 2,
  activeVersion: 1,
  window: { from: '2026-11-01', to: '2026-11-02' },
  personas: ['a', 'b'],
  comparison: {
    k: 2,
    triedK: { '2': 0.5 },
    candidate: { inertia: 1, silhouette: 0.5 },
    active: { version: 1, inertia: 1, silhouette: 0.5 },
    centroidShift: {},
    labelStability: 1,
    sampleSize: 10,
  },
};

export interface ApprovalWaitInput {
  timeoutMs: number;
  approvers: string[];
}

export async function ApprovalWait(input: ApprovalWaitInput): Promise<{ final: DecisionRecord; history: DecisionRecord[]; deadline: string | null }> {
  const approval = createApproval<PersonaCandidateSubject>({
    subjectKind: 'persona-model',
    requester: 'system:test',
    policy: { approvers: input.approvers },
    // No `audit` (the real workflows audit through an activity): the wait must still sleep after a
    // recorded decision, not wake for ever on a record nobody takes.
  });
  approval.request(SUBJECT, 1, 'waiting for a decision');
  const final = await approval.waitForDecision(input.timeoutMs);
  await approval.flush();
  const state = approval.state();
  return { final, history: [...state.history], deadline: state.deadline };
}
