// Test-only workflow: the shared approval wait (workflows/shared/approval.ts) on its own, so its
// timing policy can be pinned without a cleaning review or a persona retrain around it.
import { createApproval, type DecisionRecord } from '../../../workflows/shared/approval';

export interface ApprovalWaitInput {
  timeoutMs: number;
  approvers: string[];
}

export async function ApprovalWait(input: ApprovalWaitInput): Promise<{ final: DecisionRecord; history: DecisionRecord[]; deadline: string | null }> {
  const approval = createApproval<{ what: string }>({
    subjectKind: 'persona-model',
    requester: 'system:test',
    policy: { approvers: input.approvers },
    // The real workflows audit through an activity. Without an audit the wait never hands its records
    // off and would spin on the first signal (approval.ts: flush() returns early without `audit`).
    audit: async () => undefined,
  });
  approval.request({ what: 'a subject nobody decides' }, 1, 'waiting for a decision');
  const final = await approval.waitForDecision(input.timeoutMs);
  await approval.flush();
  const state = approval.state();
  return { final, history: [...state.history], deadline: state.deadline };
}
