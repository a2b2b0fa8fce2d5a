/**
 * Every kind of subject a person approves, by the workflow that asks. One approval model: the
 * same decision payload, signature, rules, audit and `ApprovalStatus` search attribute for all;
 * a new subject is one more entry here (plus its workflow calling createApproval).
 */
export const SUBJECTS = {
  'cleaning-plan': { workflowType: 'CleaningReview', decision: 'cleaningDecision', query: 'cleaningPlan', noun: 'plan' },
  'persona-model': { workflowType: 'RetrainPersonas', decision: 'personaDecision', query: 'personaModel', noun: 'model' },
} as const;

export type SubjectKind = keyof typeof SUBJECTS;
export type SubjectInfo = (typeof SUBJECTS)[SubjectKind];

export function subjectOfWorkflowType(workflowType: string): { kind: SubjectKind; info: SubjectInfo } | undefined {
  for (const [kind, info] of Object.entries(SUBJECTS) as [SubjectKind, SubjectInfo][]) if (info.workflowType === workflowType) return { kind, info };
  return undefined;
}
