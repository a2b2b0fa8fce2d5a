import {
  ActivityFailure,
  ApplicationFailure,
  defineSignal,
  getExternalWorkflowHandle,
  patched,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { Duration } from '@temporalio/common/lib/time';
import { z } from 'zod';
import type { PersonaActivities } from '../activities/personas';
import type { Activation } from '../activities/personas/registry';
import type { Comparison } from '../personas/train';
import { addDays, dateRange, isoDate } from '../lib/dates';
import { LONG_SQL, SHORT } from './shared/activity-options';
import { approvalDefinitions, approverOf, createApproval, type DecisionRecord } from './shared/approval';
import { parseInput } from './shared/input';
import { recordingEnd, type RunRecorder } from './shared/run-end';
import { CleaningStatus, PartitionDate } from './shared/search-attributes';

const { trainPersonaCandidate, labelParticipants } = proxyActivities<PersonaActivities>(LONG_SQL);
const { getPersonaApprovalPolicy, promotePersonaModel, rejectPersonaCandidate, recordPersonaDecisions, reconcilePersonaCandidates } =
  proxyActivities<PersonaActivities>(SHORT);

/** What an approver reads (query `personaModel`) before deciding (signal or update `personaDecision`). */
export interface PersonaCandidateSubject {
  candidateVersion: number;
  activeVersion: number;
  window: { from: string; to: string };
  personas: string[];
  comparison: Comparison;
  reason?: string;
  /** Set when another model became active after this candidate was trained: it can no longer be accepted. */
  stale?: string;
  /** Later drift on other days, attached to this pending review instead of opening another. */
  laterDrift?: { date: string; reasons: string[] }[];
}

/** Sent by a promotion (or an import that activates) to reviews whose candidate it made stale. */
export const personaActiveChanged = defineSignal<[{ activeVersion: number; candidateVersion: number; reason: string }]>('personaActiveChanged');
/** Sent by PersonaLabeling when drift persists while this review is still pending. */
export const personaDriftPersists = defineSignal<[{ date: string; reasons: string[] }]>('personaDriftPersists');

export const PERSONA_APPROVAL = { decision: 'personaDecision', query: 'personaModel' } as const;
export const personaApproval = approvalDefinitions<PersonaCandidateSubject>(PERSONA_APPROVAL);

/** A Temporal duration a person can type: 7 days, 12h, 30s (or milliseconds). */
export const approvalTimeoutSchema = z.union([
  z.number().int().positive(),
  z.string().regex(/^\d+\s*(ms|s|m|h|d|seconds?|minutes?|hours?|days?)$/, 'must be a duration like "7 days" or "30s"'),
]);

export const retrainInput = z
  .object({
    /** The recent window to train on (and to relabel on promotion); default: the 7 days up to yesterday. */
    window: z.object({ from: isoDate, to: isoDate }).strict().optional(),
    /** Who asked: a person, or `system:drift`. Under four-eyes they cannot approve. */
    requestedBy: z.string().trim().min(1).default('system:drift'),
    reason: z.string().max(2000).optional(),
    compareK: z.boolean().default(false),
    sampleSize: z.number().int().min(100).max(1_000_000).default(50_000),
    /** Refused when true, like `approvers`: both come only from the worker's configuration (read here to replay older runs). */
    autoPromote: z.boolean().default(false),
    approvalTimeout: approvalTimeoutSchema.default('7 days'),
    approvers: z.array(z.string().trim().min(1)).optional(),
    threshold: z.number().positive().optional(),
  })
  .strict()
  .refine((i) => !i.window || i.window.from <= i.window.to, { message: 'window.from must not be after window.to', path: ['window'] });
export type RetrainInput = z.input<typeof retrainInput>;

export interface RetrainResult {
  candidateVersion: number;
  baseVersion: number;
  outcome: 'promoted' | 'rejected' | 'timed_out' | 'revision_requested' | 'stale';
  decision: DecisionRecord;
  comparison: Comparison;
  relabelled: { dates: number; rows: number };
  /** One line naming the outcome and who decided it. */
  summary: string;
}

/** Retrains personas on a window, then promotes the candidate only after an approved decision. */
export async function RetrainPersonas(rawInput: RetrainInput = {}): Promise<RetrainResult> {
  return recordingEnd('RetrainPersonas', retrainPersonas, rawInput, {
    // Not promoted (rejected, timed out, revision asked) is a run blocked by a person's decision.
    ended: (r) => ({
      status: r.outcome === 'promoted' ? 'succeeded' : 'blocked',
      summary: `candidate v${r.candidateVersion} ${r.outcome.replace('_', ' ')} (${r.decision.approver})${r.outcome === 'promoted' ? `; ${r.relabelled.rows} rows relabelled` : ''}`,
    }),
  });
}

async function retrainPersonas(rawInput: RetrainInput, run: RunRecorder): Promise<RetrainResult> {
  const parsed = parseInput(retrainInput, rawInput, 'RetrainPersonas');
  const { workflowId, startTime } = workflowInfo();
  const review = pendingReview();
  const yesterday = addDays(new Date(startTime).toISOString().slice(0, 10), -1);
  const input = { ...parsed, window: parsed.window ?? { from: addDays(yesterday, -6), to: yesterday } };
  // patched: runs started before these rules replay as they ran.
  if ((parsed.autoPromote || parsed.approvers !== undefined) && patched('refuse-approval-inputs'))
    throw ApplicationFailure.nonRetryable(
      `RetrainPersonas input: ${parsed.autoPromote ? 'autoPromote' : 'approvers'}: who may approve, and whether a model is promoted without a decision, come only from the worker's configuration (DAG_APPROVERS, DAG_PERSONA_AUTO_PROMOTE): remove it`,
      'InvalidInput',
    );
  await run.begin(input.window.to);
  upsertSearchAttributes([{ key: PartitionDate, value: input.window.to }]);
  const policy = await getPersonaApprovalPolicy();
  const approval = createApproval<PersonaCandidateSubject>({
    subjectKind: 'persona-model',
    policy,
    legacyApprovers: input.approvers,
    requester: input.requestedBy,
    legacyStatusKey: CleaningStatus,
    keepLegacyStatus: false,
    audit: async (records) => void (await recordPersonaDecisions({ workflowId, records })),
    refuseAccept: () => review.stale,
  });
  const autoPromote = patched('auto-promote-from-config') ? approval.policy.autoPromote : input.autoPromote;
  setCurrentDetails(`training a candidate on ${input.window.from}..${input.window.to}`);
  // A retrain that ended without deciding (terminated, timed out) cannot close its candidate itself.
  if (patched('persona-reconcile-candidates')) await reconcilePersonaCandidates();
  const trained = await trainPersonaCandidate.executeWithOptions({ ...LONG_SQL, summary: `k-means on ${input.window.from}..${input.window.to}` }, [
    { window: input.window, compareK: input.compareK, sampleSize: input.sampleSize, runId: workflowId },
  ]);
  const c = trained.comparison;
  const subject: PersonaCandidateSubject = {
    candidateVersion: trained.version,
    activeVersion: trained.baseVersion,
    window: input.window,
    personas: trained.personas,
    comparison: c,
    reason: input.reason,
  };
  review.attach(subject);
  const awaiting = `candidate v${trained.version} (k=${c.k}): silhouette ${c.candidate.silhouette} vs ${c.active.silhouette}, label stability ${(c.labelStability * 100).toFixed(1)}% — awaiting decision`;
  setCurrentDetails(awaiting);
  let decision: DecisionRecord;
  if (autoPromote) {
    decision = {
      decision: 'accept',
      approver: 'system:auto-promote',
      version: trained.version,
      at: new Date().toISOString(),
      via: 'auto',
      outcome: 'applied',
      verification: 'DAG_PERSONA_AUTO_PROMOTE',
    };
    await recordPersonaDecisions({ workflowId, records: [decision] });
  } else {
    approval.request(subject, trained.version, awaiting);
    decision = await approval.waitForDecision(input.approvalTimeout as Duration);
  }
  const result: RetrainResult = {
    candidateVersion: trained.version,
    baseVersion: trained.baseVersion,
    outcome: 'rejected',
    decision,
    comparison: c,
    relabelled: { dates: 0, rows: 0 },
    summary: '',
  };
  if (decision.decision !== 'accept') {
    const why = `${decision.via === 'timeout' ? 'timed out' : decision.decision} by ${decision.approver}`;
    await rejectPersonaCandidate({ version: trained.version, reason: decision.reason ? `${why}: ${decision.reason}` : why });
    result.outcome = decision.via === 'timeout' ? 'timed_out' : decision.decision === 'revise' ? 'revision_requested' : 'rejected';
    result.summary = `candidate v${trained.version} not promoted (${result.outcome} by ${approverOf(decision)}${decision.reason ? `: ${decision.reason}` : ''})`;
    setCurrentDetails(result.summary);
    await approval.flush();
    return result;
  }
  let activation: Activation | undefined;
  try {
    activation = await promotePersonaModel.executeWithOptions({ ...SHORT, summary: `promote v${trained.version}, retire v${trained.baseVersion}` }, [
      { version: trained.version },
    ]);
  } catch (err) {
    // Another model became active after this candidate was trained (the registry checks it in the promoting transaction).
    const stale = staleFailure(err);
    if (!stale) throw err;
    subject.stale = stale;
    await rejectPersonaCandidate({ version: trained.version, reason: `acceptance by ${decision.approver} refused: ${stale}` });
    result.outcome = 'stale';
    setCurrentDetails(`candidate v${trained.version} not promoted: ${stale}`);
    await approval.flush();
    return result;
  }
  if (activation && patched('persona-tell-stale-reviews')) await tellStaleReviews(activation);
  for (const date of dateRange(input.window.from, input.window.to)) {
    const labels = await labelParticipants.executeWithOptions({ ...LONG_SQL, summary: `relabel ${date} with v${trained.version}` }, [
      { date, modelVersion: trained.version, threshold: input.threshold },
    ]);
    result.relabelled.dates++;
    result.relabelled.rows += labels.rows;
  }
  result.outcome = 'promoted';
  await approval.flush();
  result.summary = `v${trained.version} promoted by ${approverOf(decision)}; ${result.relabelled.rows} rows relabelled`;
  setCurrentDetails(result.summary);
  return result;
}

/**
 * What signals tell a pending review: another model became active (the candidate is stale, so
 * an accept is refused) or drift persisted on a later day. They may arrive before the candidate
 * is trained; `attach` applies what came meanwhile to the subject the approvers read.
 */
function pendingReview() {
  const state: { stale?: string; staleVersion?: number; laterDrift: { date: string; reasons: string[] }[]; subject?: PersonaCandidateSubject } = {
    laterDrift: [],
  };
  const applyStale = () => {
    if (!state.subject || state.staleVersion !== state.subject.candidateVersion || !state.stale) return;
    state.subject.stale = state.stale;
    setCurrentDetails(`candidate v${state.subject.candidateVersion} ${state.stale}: it can no longer be accepted (reject it, or it times out)`);
  };
  setHandler(personaActiveChanged, (s) => {
    [state.stale, state.staleVersion] = [s.reason, s.candidateVersion];
    applyStale();
  });
  setHandler(personaDriftPersists, (d) => void state.laterDrift.push(d));
  return {
    get stale(): string | undefined {
      return state.subject?.stale;
    },
    attach(subject: PersonaCandidateSubject): void {
      state.subject = subject;
      subject.laterDrift = state.laterDrift;
      applyStale();
    },
  };
}

/** Reviews of candidates trained against an older model can no longer be accepted: say so to each. */
export async function tellStaleReviews(activation: Pick<Activation, 'version' | 'staleCandidates'>): Promise<void> {
  const self = workflowInfo();
  for (const c of activation.staleCandidates) {
    if (!c.workflowId || (c.workflowId === self.workflowId && c.runId === self.runId)) continue;
    const reason = `stale: v${activation.version} became active meanwhile (candidate v${c.version} was trained against v${c.parentVersion})`;
    try {
      await getExternalWorkflowHandle(c.workflowId, c.runId ?? undefined).signal(personaActiveChanged, {
        activeVersion: activation.version,
        candidateVersion: c.version,
        reason,
      });
    } catch {
      // That review is already over: the next retrain's reconciliation closes its candidate.
    }
  }
}

function staleFailure(err: unknown): string | undefined {
  const cause = err instanceof ActivityFailure ? err.cause : undefined;
  return cause instanceof ApplicationFailure && cause.type === 'StaleCandidate' ? cause.message : undefined;
}
