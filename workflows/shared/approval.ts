import { condition, defineQuery, defineSignal, defineUpdate, setHandler, upsertSearchAttributes } from '@temporalio/workflow';
import { msToNumber, type Duration } from '@temporalio/common/lib/time';
import { z } from 'zod';
import type { CleaningStatus } from './search-attributes';

/**
 * Human approval of a versioned subject (a persona model, a cleaning plan), reusable by any
 * workflow. A decision arrives as a signal or as an update (same name; the update answers with
 * what became of it). Every decision is kept in the history and audited, including those
 * ignored — stale version, a second decision, an unknown approver, the requester approving
 * their own request (four-eyes) — each with its reason. No decision before the timeout is an
 * automatic, recorded rejection. The status search attribute makes pending decisions findable:
 * `CleaningStatus = "AwaitingApproval"`.
 */
const decisionObject = z
  .object({
    decision: z.enum(['accept', 'reject', 'revise']),
    approver: z.string().trim().min(1).max(200),
    reason: z.string().max(2000).optional(),
    version: z.number().int().min(0),
  })
  .strict();
/** `planVersion` (the name approvers of cleaning plans know) is accepted for `version`. */
export const decisionSchema = z.preprocess((v) => {
  if (!v || typeof v !== 'object' || !('planVersion' in v) || 'version' in v) return v;
  const { planVersion, ...rest } = v as Record<string, unknown>;
  return { ...rest, version: planVersion };
}, decisionObject);
export type Decision = z.infer<typeof decisionSchema>;

export interface DecisionRecord extends Decision {
  at: string;
  via: 'signal' | 'update' | 'timeout' | 'auto';
  outcome: 'applied' | 'ignored';
  ignoredReason?: string;
}

export type ApprovalStatus = 'NotRequested' | 'AwaitingApproval' | 'Accepted' | 'Rejected' | 'RevisionRequested' | 'TimedOut';

export interface ApprovalState<TSubject> {
  subject: TSubject | null;
  version: number | null;
  status: ApprovalStatus;
  requester: string;
  approvers: string[];
  history: DecisionRecord[];
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
  names: { decision: string; query: string };
  /** Who may decide (from configuration, passed in: workflows cannot read env). Empty: anyone but the requester. */
  approvers: readonly string[];
  requester: string;
  fourEyes: boolean;
  /** A keyword search attribute that shows the status, e.g. CleaningStatus. */
  statusKey?: typeof CleaningStatus;
  /** Persists new history records (an activity); called from the workflow's main path. */
  audit?: (records: DecisionRecord[]) => Promise<void>;
}

const STATUS_OF = { accept: 'Accepted', reject: 'Rejected', revise: 'RevisionRequested' } as const;

export function createApproval<TSubject>(opts: ApprovalOptions) {
  const defs = approvalDefinitions<TSubject>(opts.names);
  const state: ApprovalState<TSubject> = {
    subject: null,
    version: null,
    status: 'NotRequested',
    requester: opts.requester,
    approvers: [...opts.approvers],
    history: [],
  };
  let decided: DecisionRecord | undefined;
  let unaudited: DecisionRecord[] = [];
  const setStatus = (s: ApprovalStatus) => {
    state.status = s;
    if (opts.statusKey) upsertSearchAttributes([{ key: opts.statusKey, value: s }]);
  };

  const whyIgnored = (d: Decision): string | undefined => {
    if (state.version === null) return 'nothing is awaiting a decision yet';
    if (decided) return `already decided: ${decided.decision} by ${decided.approver}`;
    if (d.version !== state.version) return `stale version ${d.version}: the version awaiting a decision is ${state.version}`;
    if (opts.approvers.length && !opts.approvers.includes(d.approver)) return `${d.approver} is not an approver (approvers: ${opts.approvers.join(', ')})`;
    if (opts.fourEyes && d.approver === opts.requester) return `four-eyes: ${d.approver} requested this and cannot also decide it`;
    return undefined;
  };
  const keep = (record: DecisionRecord): DecisionRecord => {
    state.history.push(record);
    unaudited.push(record);
    if (record.outcome === 'applied') decided = record;
    return record;
  };
  const receive = (d: Decision, via: DecisionRecord['via']): DecisionRecord => {
    const reason = whyIgnored(d);
    return keep({ ...d, at: new Date().toISOString(), via, outcome: reason ? 'ignored' : 'applied', ...(reason ? { ignoredReason: reason } : {}) });
  };

  setHandler(defs.signal, (raw: Decision) => {
    const parsed = decisionSchema.safeParse(raw);
    if (parsed.success) return void receive(parsed.data, 'signal');
    const r = (raw ?? {}) as Partial<Decision>;
    const malformed = parsed.error.issues.map((i) => `${i.path.join('.') || 'decision'}: ${i.message}`).join('; ');
    keep({
      decision: r.decision ?? 'reject',
      approver: String(r.approver ?? '?'),
      version: Number(r.version ?? -1),
      at: new Date().toISOString(),
      via: 'signal',
      outcome: 'ignored',
      ignoredReason: `malformed decision: ${malformed}`,
    });
  });
  // Malformed updates are refused before they enter history; well-formed ones are answered with their record.
  setHandler(defs.update, (d: Decision) => receive(decisionSchema.parse(d), 'update'), { validator: (d: Decision) => void decisionSchema.parse(d) });
  setHandler(defs.query, () => state);

  const flush = async () => {
    if (!unaudited.length || !opts.audit) return;
    const batch = unaudited;
    unaudited = [];
    await opts.audit(batch);
  };

  return {
    definitions: defs,
    state: (): Readonly<ApprovalState<TSubject>> => state,
    /** Presents a (new) version of the subject for decision; a previous decision no longer counts. */
    request(subject: TSubject, version: number): void {
      state.subject = subject;
      state.version = version;
      decided = undefined;
      setStatus('AwaitingApproval');
    },
    /** Audits records that arrived after the decision (late or second decisions); call before returning. */
    flush,
    /** Waits for an applied decision, auditing every record as it arrives; timeout → recorded rejection. */
    async waitForDecision(timeout: Duration): Promise<DecisionRecord> {
      const deadline = Date.now() + msToNumber(timeout);
      while (!decided && Date.now() < deadline) {
        await condition(() => decided !== undefined || unaudited.length > 0, deadline - Date.now());
        await flush();
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
        });
      await flush();
      setStatus(final.via === 'timeout' ? 'TimedOut' : STATUS_OF[final.decision]);
      return final;
    },
  };
}
