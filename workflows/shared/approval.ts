import {
  ApplicationFailure,
  CancellationScope,
  condition,
  defineQuery,
  defineSignal,
  defineUpdate,
  log,
  patched,
  setCurrentDetails,
  setHandler,
  sleep,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import { msToNumber, type Duration } from '@temporalio/common/lib/time';
import { hashSubject, type SigningContext } from '../../lib/approvals/protocol';
import { legacyRecord, malformedRecord, type DecisionRecord } from '../../lib/approvals/records';
import { evaluateDecision, normalizePolicy, parseDecision, type ApprovalPolicy, type DecisionPayload, type PendingState } from '../../lib/approvals/rules';
import { SUBJECTS, type SubjectKind } from '../../lib/approvals/subjects';
import { noticeSubject, openApprovalNotices, type ApprovalNotices } from './approval-notices';
import { ApprovalStatus as ApprovalStatusKey, type CleaningStatus } from './search-attributes';

/**
 * Human approval of a versioned subject (a cleaning plan, a persona model), the same for every
 * workflow that asks. A decision arrives as an update (refused by its validator, before anything
 * enters history, when it does not count — the Temporal UI shows the refusal in red) or as a
 * signal (which cannot be refused: recorded as ignored with its reason). A decision counts only
 * when its approver is configured on the worker and its Ed25519 signature verifies over this
 * run, subject kind, version and subject hash (lib/approvals/rules.ts). Every decision is kept
 * in the history and audited; no decision before the timeout is an automatic, recorded rejection.
 * Pending decisions are findable: `ApprovalStatus = "AwaitingApproval"`. The configured channels
 * hear about each wait: awaiting, half of the timeout gone, timed out, decided (approval-notices.ts).
 */
export type { DecisionPayload } from '../../lib/approvals/rules';
export type { DecisionRecord } from '../../lib/approvals/records';
export { approverOf } from '../../lib/approvals/records';
/** The payload type clients send (what the update and signal accept). */
export type Decision = DecisionPayload;

export type ApprovalStatus = 'NotRequested' | 'AwaitingApproval' | 'Accepted' | 'Rejected' | 'RevisionRequested' | 'TimedOut';

export interface ApprovalState<TSubject> {
  subjectKind: SubjectKind;
  subject: TSubject | null;
  version: number | null;
  status: ApprovalStatus;
  requester: string;
  /** Who may decide (configured on the worker). */
  approvers: string[];
  /** What a signature must cover; null while nothing awaits a decision. */
  toSign: SigningContext | null;
  /** When the version was presented, and when the automatic rejection happens (ISO). */
  requestedAt: string | null;
  deadline: string | null;
  signaturesRequired: boolean;
  history: DecisionRecord[];
  lastIgnored: DecisionRecord | null;
}

/** The signal, update and query, by name; clients import the same definitions. */
export function approvalDefinitions<TSubject>(names: { decision: string; query: string }) {
  return {
    signal: defineSignal<[Decision]>(names.decision),
    update: defineUpdate<DecisionRecord, [Decision]>(names.decision),
    query: defineQuery<ApprovalState<TSubject>>(names.query),
  };
}

export interface ApprovalOptions {
  subjectKind: SubjectKind;
  requester: string;
  /** The policy activity's result (worker configuration). */
  policy: Partial<ApprovalPolicy>;
  /** The status key runs used before ApprovalStatus (CleaningStatus); kept on new runs only if `keepLegacyStatus`. */
  legacyStatusKey?: typeof CleaningStatus;
  keepLegacyStatus?: boolean;
  /** Approvers from the input of runs started before decisions were signed (replay only). */
  legacyApprovers?: readonly string[];
  /** Persists new history records (an activity); called from the workflow's main path. */
  audit?: (records: DecisionRecord[]) => Promise<void>;
  /** Why no accept can apply now although it would otherwise count (e.g. the candidate went stale); checked with each accept. */
  refuseAccept?: () => string | undefined;
}

const STATUS_OF = { accept: 'Accepted', reject: 'Rejected', revise: 'RevisionRequested' } as const;

export function createApproval<TSubject>(opts: ApprovalOptions) {
  const subject = SUBJECTS[opts.subjectKind];
  const defs = approvalDefinitions<TSubject>(subject);
  const policy = normalizePolicy(opts.policy);
  // patched: runs started before ApprovalStatus existed keep upserting only their old key.
  const statusKeys = patched('approval-status-attribute')
    ? [ApprovalStatusKey, ...(opts.legacyStatusKey && opts.keepLegacyStatus ? [opts.legacyStatusKey] : [])]
    : opts.legacyStatusKey
      ? [opts.legacyStatusKey]
      : [];
  const state: ApprovalState<TSubject> = {
    subjectKind: opts.subjectKind,
    subject: null,
    version: null,
    status: 'NotRequested',
    requester: opts.requester,
    approvers: [...policy.approvers],
    toSign: null,
    requestedAt: null,
    deadline: null,
    signaturesRequired: !policy.allowUnsigned,
    history: [],
    lastIgnored: null,
  };
  let decided: DecisionRecord | undefined;
  let unaudited: DecisionRecord[] = [];
  /** The notices of every wait so far; the workflow awaits them (flush) before it ends. */
  const notices: ApprovalNotices[] = [];
  let details = '';
  const setStatus = (s: ApprovalStatus) => {
    state.status = s;
    if (statusKeys.length) upsertSearchAttributes(statusKeys.map((key) => ({ key, value: s })));
  };
  const pending = (): PendingState => ({
    noun: subject.noun,
    toSign: state.toSign,
    requestedAt: state.requestedAt ? Date.parse(state.requestedAt) : null,
    deadline: state.deadline ? Date.parse(state.deadline) : null,
    requester: opts.requester,
    decided: decided && { decision: decided.decision, approver: decided.verifiedApprover ?? decided.approver, version: decided.version },
  });
  /** The rules' verdict, then the subject's own veto on an accept that would otherwise count. */
  const judge = (d: Parameters<typeof evaluateDecision>[2]) => {
    const verdict = evaluateDecision(pending(), policy, d, Date.now());
    const veto = !verdict.refusal && d.decision === 'accept' ? opts.refuseAccept?.() : undefined;
    return veto ? { ...verdict, refusal: veto } : verdict;
  };
  const keep = (record: DecisionRecord): DecisionRecord => {
    state.history.push(record);
    unaudited.push(record);
    if (record.outcome === 'applied') decided = record;
    else {
      state.lastIgnored = record;
      setCurrentDetails(`${details}\n- last ignored decision: ${record.approver} ${record.decision} v${record.version ?? '?'} — ${record.ignoredReason}`);
    }
    return record;
  };

  const receive = (raw: unknown, via: 'signal' | 'update'): DecisionRecord => {
    const at = new Date().toISOString();
    // patched: decisions already in the history of runs started before signatures replay by the old rules.
    if (!patched('signed-decisions'))
      return keep(
        legacyRecord(raw, via, at, { ...policy, approvers: [...(opts.legacyApprovers ?? policy.approvers)] }, opts.requester, state.version, decided),
      );
    const parsed = parseDecision(raw);
    if (!parsed.ok) return keep(malformedRecord(raw, parsed.problem, via, at));
    const d = parsed.decision;
    const verdict = judge(d);
    const refusal = verdict.refusal ?? (d.auditOnly ? `recorded after a refused update (${d.auditOnly.refusal})` : undefined);
    return keep({
      decision: d.decision,
      approver: d.approver,
      ...(d.reason !== undefined ? { reason: d.reason } : {}),
      version: d.version,
      at,
      via: d.auditOnly ? 'refused-update' : via,
      outcome: refusal ? 'ignored' : 'applied',
      ...(refusal ? { ignoredReason: refusal } : {}),
      verification: verdict.verification,
      ...(verdict.verifiedApprover ? { verifiedApprover: verdict.verifiedApprover } : {}),
      ...(d.keyId ? { keyId: d.keyId } : {}),
      ...(state.toSign ? { subjectHash: state.toSign.subjectHash } : {}),
      ...(d.signedAt ? { signedAt: d.signedAt } : {}),
    });
  };

  setHandler(defs.signal, (raw: Decision) => void receive(raw, 'signal'));
  setHandler(defs.update, (raw: Decision) => receive(raw, 'update'), {
    // Runs before the update is accepted: a refusal never enters history and reaches the sender as one line.
    validator: (raw: Decision) => {
      const parsed = parseDecision(raw);
      const refusal = !parsed.ok
        ? `malformed decision: ${parsed.problem}`
        : parsed.decision.auditOnly
          ? 'auditOnly is for signals that record a refused update'
          : judge(parsed.decision).refusal;
      if (!refusal) return;
      log.warn('decision refused', { workflowId: workflowInfo().workflowId, refusal, approver: parsed.ok ? parsed.decision.approver : undefined });
      throw refused(refusal);
    },
  });
  setHandler(defs.query, () => state);

  // Hands new records to `audit` (when given) and clears them either way: the waits below wake on
  // unaudited records, so records nobody takes would wake them for ever.
  const auditNew = async () => {
    if (!unaudited.length) return;
    const batch = unaudited;
    unaudited = [];
    await opts.audit?.(batch);
  };
  const flush = async () => {
    await auditNew();
    for (const n of notices) await n.delivered();
  };

  return {
    definitions: defs,
    policy,
    state: (): Readonly<ApprovalState<TSubject>> => state,
    /** Presents a (new) version of the subject for decision; a previous decision no longer counts. */
    request(subjectValue: TSubject, version: number, currentDetails?: string): void {
      const { workflowId, runId } = workflowInfo();
      state.subject = subjectValue;
      state.version = version;
      state.toSign = { workflowId, runId, subjectKind: opts.subjectKind, version, subjectHash: hashSubject(subjectValue) };
      state.requestedAt = new Date().toISOString();
      state.deadline = null;
      decided = undefined;
      if (currentDetails !== undefined) {
        details = currentDetails;
        setCurrentDetails(details);
      }
      setStatus('AwaitingApproval');
    },
    /** Audits records that arrived after the decision (late or second decisions) and lets the notices finish; call before returning. */
    flush,
    /** Waits for an applied decision, auditing every record as it arrives; timeout → recorded rejection. */
    async waitForDecision(timeout: Duration): Promise<DecisionRecord> {
      const deadline = Date.now() + msToNumber(timeout);
      state.deadline = new Date(deadline).toISOString();
      // patched: a wait that began before the notices existed sends none (later waits of the same run do).
      const notice =
        state.subject !== null && state.version !== null && state.requestedAt !== null && patched('approval-notifications')
          ? openApprovalNotices(noticeSubject(opts.subjectKind, state.subject, state.version, workflowInfo().workflowId), msToNumber(timeout), {
              requestedAt: state.requestedAt,
              deadline: state.deadline,
            })
          : undefined;
      if (notice) notices.push(notice);
      if (patched('approval-timer-summary')) {
        // One named timer for the whole wait, so the UI's timeline shows when the automatic
        // rejection falls (condition() timers carry no summary); cancelled once someone decides.
        let expired = false;
        const timer = new CancellationScope();
        timer
          .run(() => sleep(Math.max(deadline - Date.now(), 1), { summary: `approval deadline: rejected automatically at ${state.deadline} unless decided` }))
          .then(
            () => (expired = true),
            () => undefined,
          );
        while (!decided && !expired) {
          await condition(() => decided !== undefined || unaudited.length > 0 || expired);
          await auditNew();
        }
        if (!expired) timer.cancel();
      } else {
        while (!decided && Date.now() < deadline) {
          await condition(() => decided !== undefined || unaudited.length > 0, deadline - Date.now());
          await auditNew();
        }
      }
      const final =
        decided ??
        keep({
          decision: 'reject',
          approver: 'system:timeout',
          reason: `no decision within ${String(timeout)}`,
          version: state.version ?? 0,
          at: new Date().toISOString(),
          via: 'timeout',
          outcome: 'applied',
          verification: 'system',
          ...(state.toSign ? { subjectHash: state.toSign.subjectHash } : {}),
        });
      await auditNew();
      setStatus(final.via === 'timeout' ? 'TimedOut' : STATUS_OF[final.decision]);
      notice?.settle(
        final.via === 'timeout'
          ? { kind: 'timed_out' }
          : {
              kind: 'decided',
              decision: { decision: final.decision, approver: final.verifiedApprover ?? final.approver, ...(final.reason ? { reason: final.reason } : {}) },
            },
      );
      return final;
    },
  };
}

/** A refusal as the sender sees it: one line, no stack trace (no server file paths). */
function refused(reason: string): ApplicationFailure {
  const failure = ApplicationFailure.create({ message: `refused: ${reason}`, type: 'DecisionRefused', nonRetryable: true });
  failure.stack = '';
  return failure;
}
