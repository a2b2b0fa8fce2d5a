import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { CleaningSubject } from '../cleaning/types';
import { decide, describe, listPending, type DecisionRecord, type PendingApproval } from '../lib/approvals/client';
import type { DecisionKind } from '../lib/approvals/protocol';
import { subjectOfWorkflowType, type SubjectKind } from '../lib/approvals/subjects';
import type { PersonaCandidateSubject } from '../workflows/retrain-personas';
import type { ApprovalState } from '../workflows/shared/approval';
import type { Identity } from './auth/identity';
import type { ConsoleSigners, Signing } from './auth/signers';

/**
 * The console's decisions go through lib/approvals/client.ts, the module `dag approvals` uses:
 * the same listing, the same description (subject hash recomputed from what the page shows) and
 * the same signed Update. What the console adds: the signer of the signed-in account (console/
 * auth/signers.ts), and the answers in words for the page.
 */
export type { PendingApproval, SubjectKind };

export interface DecisionView {
  workflowId: string;
  runId: string;
  workflowType: string;
  kind: SubjectKind;
  title: string;
  date?: string;
  running: boolean;
  executionStatus: string;
  status: ApprovalState<unknown>['status'];
  version: number | null;
  /** The hash a signature covers for this version; the form sends it back so a changed subject is refused. */
  subjectHash: string | null;
  requester: string;
  approvers: string[];
  /** False only where the worker allows unsigned decisions (development). */
  signaturesRequired: boolean;
  history: DecisionRecord[];
  requestedAt?: Date;
  deadline?: Date;
  cleaning?: CleaningSubject;
  persona?: PersonaCandidateSubject;
}

export interface DecisionInput {
  decision: DecisionKind;
  reason?: string;
  /** The version and subject hash the approver was shown: anything newer makes the decision stale. */
  version: number;
  subjectHash?: string;
}

export interface DecisionAnswer {
  applied: boolean;
  /** The workflow's answer in words: what happens now, or its refusal. */
  text: string;
}

export interface ApprovalsClient {
  listPending(): Promise<PendingApproval[]>;
  describe(workflowId: string): Promise<DecisionView | null>;
  decide(workflowId: string, input: DecisionInput, who: Identity): Promise<DecisionAnswer>;
  /** What pressing a decision button will send for this account (signed, unsigned, or nothing). */
  signingFor(who: Identity): Signing;
}

const NEXT = {
  'cleaning-plan': { accept: 'the plan is applied and the checks run again', reject: 'the partition stays blocked', revise: 'a new version is being planned' },
  'persona-model': {
    accept: 'the candidate is promoted and the window relabelled',
    reject: 'the active model stays',
    revise: 'the candidate is not promoted; retrain with the feedback',
  },
} as const;

export function consoleApprovals(client: Client, taskQueue: string, signers: ConsoleSigners): ApprovalsClient {
  return {
    listPending: () => listPending(client, Date.now(), { taskQueue }),
    signingFor: (who) => signers.signingFor(who),

    async describe(workflowId) {
      const run = await client.workflow
        .getHandle(workflowId)
        .describe()
        .catch((err: unknown) => {
          if (err instanceof WorkflowNotFoundError) return null;
          throw err;
        });
      if (!run || !subjectOfWorkflowType(run.type)) return null;
      const d = await describe<CleaningSubject | PersonaCandidateSubject>(client, workflowId);
      const cleaning = d.subjectKind === 'cleaning-plan' ? ((d.subject as CleaningSubject | null) ?? undefined) : undefined;
      const persona = d.subjectKind === 'persona-model' ? ((d.subject as PersonaCandidateSubject | null) ?? undefined) : undefined;
      return {
        workflowId,
        runId: d.runId,
        workflowType: d.workflowType,
        kind: d.subjectKind,
        title: cleaning ? `cleaning plan v${d.version} for ${cleaning.date}` : persona ? `persona model v${persona.candidateVersion}` : workflowId,
        date: cleaning?.date ?? (run.searchAttributes?.PartitionDate?.[0] as string | undefined),
        running: d.running,
        executionStatus: d.executionStatus,
        status: settledStatus(d),
        version: d.version,
        subjectHash: d.toSign?.subjectHash ?? null,
        requester: d.requester,
        approvers: d.approvers,
        signaturesRequired: d.signaturesRequired,
        history: d.history,
        requestedAt: d.requestedAt ? new Date(d.requestedAt) : undefined,
        deadline: d.deadline ? new Date(d.deadline) : undefined,
        cleaning,
        persona,
      };
    },

    async decide(workflowId, input, who) {
      const signing = signers.signingFor(who);
      if (signing.kind === 'refused') return { applied: false, text: `not sent: ${signing.note}` };
      const kind = subjectOfWorkflowType((await client.workflow.getHandle(workflowId).describe()).type)?.kind;
      if (!kind) return { applied: false, text: `refused: ${workflowId} is not awaiting decisions` };
      try {
        const r = await decide(
          client,
          workflowId,
          { decision: input.decision, reason: input.reason || undefined, version: input.version, subjectHash: input.subjectHash },
          signing.signer,
        );
        if (!r.ok) return { applied: false, text: signing.kind === 'unsigned' ? `${r.refusal} (${signing.note})` : r.refusal };
        const rec = r.record;
        if (rec.outcome !== 'applied') return { applied: false, text: `refused: ${rec.ignoredReason ?? 'ignored by the workflow'}` };
        const how = rec.verification === 'verified' ? 'signature verified' : rec.verification;
        return {
          applied: true,
          text: `${rec.decision} recorded for v${rec.version} by ${rec.verifiedApprover ?? rec.approver} (${how}): ${NEXT[kind][rec.decision]}`,
        };
      } catch (err) {
        if (err instanceof WorkflowNotFoundError) return { applied: false, text: `refused: ${workflowId} is no longer running; nothing was decided` };
        throw err;
      }
    },
  };
}

const STATUS_OF = { accept: 'Accepted', reject: 'Rejected', revise: 'RevisionRequested' } as const;

/**
 * The status as the approver should see it: the workflow updates its status only after it
 * audited the decision, so for a moment an applied decision on the current version still reads
 * "AwaitingApproval" — the page must not offer a second decision then.
 */
function settledStatus(state: ApprovalState<unknown>): ApprovalState<unknown>['status'] {
  const applied = state.history.find((r) => r.outcome === 'applied' && r.version === state.version);
  return state.status === 'AwaitingApproval' && applied ? STATUS_OF[applied.decision] : state.status;
}
