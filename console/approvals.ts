import { WorkflowNotFoundError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import type { CleaningSubject } from '../cleaning/types';
import { cleaningApproval } from '../workflows/cleaning-review';
import { personaApproval, type PersonaCandidateSubject } from '../workflows/retrain-personas';
import type { ApprovalState, Decision, DecisionRecord } from '../workflows/shared/approval';
import type { Identity } from './auth/identity';

/**
 * The console's one door to decisions: list what awaits one, describe a subject, decide. Today
 * it speaks the `cleaningDecision` / `personaDecision` Updates the CLI sends; when the shared
 * approvals client (signed decisions, one approval model) lands, only this file changes.
 */
export type SubjectKind = 'cleaning_plan' | 'persona_model';

const SUBJECTS = {
  CleaningReview: { kind: 'cleaning_plan', defs: cleaningApproval },
  RetrainPersonas: { kind: 'persona_model', defs: personaApproval },
} as const;
type SubjectType = keyof typeof SUBJECTS;

/** Everything awaiting a decision on the console's task queue, as the Temporal UI finds it. */
export const pendingQuery = (taskQueue: string) => `ExecutionStatus = 'Running' AND CleaningStatus = 'AwaitingApproval' AND TaskQueue = '${taskQueue}'`;

export interface DecisionView {
  workflowId: string;
  runId: string;
  workflowType: SubjectType;
  kind: SubjectKind;
  title: string;
  date?: string;
  running: boolean;
  executionStatus: string;
  status: ApprovalState<unknown>['status'];
  version: number | null;
  requester: string;
  approvers: string[];
  history: DecisionRecord[];
  requestedAt?: Date;
  deadline?: Date;
  cleaning?: CleaningSubject;
  persona?: PersonaCandidateSubject;
}

export interface DecisionInput {
  decision: 'accept' | 'reject' | 'revise';
  reason?: string;
  /** The version the approver was shown: a newer one awaiting makes the decision stale. */
  version: number;
}

export interface DecisionAnswer {
  applied: boolean;
  /** The workflow's answer in words: what happens now, or why the decision was refused. */
  text: string;
}

export interface ApprovalsClient {
  listPending(): Promise<DecisionView[]>;
  describe(workflowId: string): Promise<DecisionView | null>;
  decide(workflowId: string, input: DecisionInput, who: Identity): Promise<DecisionAnswer>;
}

const NEXT = {
  cleaning_plan: { accept: 'the plan is applied and the checks run again', reject: 'the partition stays blocked', revise: 'a new version is being planned' },
  persona_model: {
    accept: 'the candidate is promoted and the window relabelled',
    reject: 'the active model stays',
    revise: 'the candidate is not promoted; retrain with the feedback',
  },
} as const;

export function temporalApprovals(client: Client, taskQueue: string): ApprovalsClient {
  if (!/^[A-Za-z0-9._-]+$/.test(taskQueue)) throw new Error(`bad task queue ${JSON.stringify(taskQueue)}`);
  const describe = async (workflowId: string): Promise<DecisionView | null> => {
    const handle = client.workflow.getHandle(workflowId);
    const d = await handle.describe().catch((err: unknown) => {
      if (err instanceof WorkflowNotFoundError) return null;
      throw err;
    });
    if (!d || !(d.type in SUBJECTS)) return null;
    const type = d.type as SubjectType;
    const subject = SUBJECTS[type];
    // Queries of a closed run replay it on a worker; without one the page still shows the status.
    const state = (await handle.query<ApprovalState<unknown>>(subject.defs.query.name).catch(() => undefined)) as
      ApprovalState<CleaningSubject | PersonaCandidateSubject> | undefined;
    const timing = await awaitingSince(client, workflowId, d.runId);
    const cleaning = type === 'CleaningReview' ? ((state?.subject as CleaningSubject | null) ?? undefined) : undefined;
    const persona = type === 'RetrainPersonas' ? ((state?.subject as PersonaCandidateSubject | null) ?? undefined) : undefined;
    const date = cleaning?.date ?? (d.searchAttributes?.PartitionDate?.[0] as string | undefined);
    return {
      workflowId,
      runId: d.runId,
      workflowType: type,
      kind: subject.kind,
      title: cleaning ? `cleaning plan v${state?.version} for ${cleaning.date}` : persona ? `persona model v${persona.candidateVersion}` : workflowId,
      date,
      running: d.status.name === 'RUNNING',
      executionStatus: d.status.name,
      status: settledStatus(state),
      version: state?.version ?? null,
      requester: state?.requester ?? '',
      approvers: state?.approvers ?? [],
      history: state?.history ?? [],
      ...timing,
      cleaning,
      persona,
    };
  };
  return {
    describe,
    async listPending() {
      const out: DecisionView[] = [];
      for await (const wf of client.workflow.list({ query: pendingQuery(taskQueue) })) {
        const view = await describe(wf.workflowId).catch(() => null);
        if (view && view.status === 'AwaitingApproval') out.push(view);
      }
      // Oldest request first: it is the closest to its automatic rejection.
      return out.sort((a, b) => (a.requestedAt?.getTime() ?? 0) - (b.requestedAt?.getTime() ?? 0));
    },
    async decide(workflowId, input, who) {
      const d = await client.workflow.getHandle(workflowId).describe();
      const subject = SUBJECTS[d.type as SubjectType];
      if (!subject) return { applied: false, text: `refused: ${workflowId} is not awaiting decisions` };
      try {
        const record = await client.workflow.getHandle(workflowId).executeUpdate<DecisionRecord, [Decision]>(subject.defs.update.name, {
          args: [{ decision: input.decision, approver: who.name, reason: input.reason || undefined, version: input.version }],
        });
        return record.outcome === 'applied'
          ? { applied: true, text: `${input.decision} recorded for v${record.version} by ${record.approver}: ${NEXT[subject.kind][input.decision]}` }
          : { applied: false, text: `refused: ${record.ignoredReason ?? 'ignored by the workflow'}` };
      } catch (err) {
        if (err instanceof WorkflowUpdateFailedError) return { applied: false, text: `refused: ${oneLine(err.cause?.message ?? err.message)}` };
        if (err instanceof WorkflowNotFoundError || /completed|not found/i.test((err as Error).message))
          return { applied: false, text: `refused: ${workflowId} is no longer running; nothing was decided` };
        throw err;
      }
    },
  };
}

const STATUS_OF = { accept: 'Accepted', reject: 'Rejected', revise: 'RevisionRequested' } as const;

/**
 * The status as the approver should see it: the workflow updates its status attribute only
 * after it audited the decision, so for a moment an applied decision on the current version
 * still reads "AwaitingApproval" — the page must not offer a second decision then.
 */
function settledStatus(state: ApprovalState<unknown> | undefined): ApprovalState<unknown>['status'] {
  if (!state) return 'NotRequested';
  const applied = state.history.find((r) => r.outcome === 'applied' && r.version === state.version);
  return state.status === 'AwaitingApproval' && applied ? STATUS_OF[applied.decision] : state.status;
}

const oneLine = (s: string) => s.split('\n')[0].slice(0, 500);

/**
 * When the current version was put up for decision and when it is rejected automatically, from
 * the run's history: the last `CleaningStatus = AwaitingApproval` upsert, and the latest end of
 * the timers started after it (the approval wait's timer; re-armed timers end at the same time).
 */
async function awaitingSince(client: Client, workflowId: string, runId: string): Promise<{ requestedAt?: Date; deadline?: Date }> {
  const history = await client.workflow
    .getHandle(workflowId, runId)
    .fetchHistory()
    .catch(() => undefined);
  let requestedAt: Date | undefined;
  let deadline: Date | undefined;
  for (const e of history?.events ?? []) {
    const at = e.eventTime?.seconds ? new Date(Number(e.eventTime.seconds) * 1000 + Math.floor((e.eventTime.nanos ?? 0) / 1e6)) : undefined;
    const upsert = e.upsertWorkflowSearchAttributesEventAttributes?.searchAttributes?.indexedFields?.CleaningStatus;
    if (upsert?.data && at) {
      const value = JSON.parse(Buffer.from(upsert.data).toString('utf8')) as string | string[];
      if ((Array.isArray(value) ? value[0] : value) === 'AwaitingApproval') {
        requestedAt = at;
        deadline = undefined;
      }
    }
    // The wait's timer ends at the deadline; shorter timers (a reminder at half time) end before it.
    const timer = e.timerStartedEventAttributes?.startToFireTimeout;
    if (timer && at && requestedAt) {
      const end = new Date(at.getTime() + Number(timer.seconds ?? 0) * 1000 + Math.floor((timer.nanos ?? 0) / 1e6));
      if (!deadline || end > deadline) deadline = end;
    }
  }
  return { requestedAt, deadline };
}
