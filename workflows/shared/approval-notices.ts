import { CancellationScope, isCancellation, log, proxyActivities, sleep } from '@temporalio/workflow';
import type { ActivityOptions } from '@temporalio/workflow';
import type { ApprovalEventKind, NotifyActivities, NotifyInput } from '../../activities/notify';
import type { CleaningSubject } from '../../cleaning/types';
import type { SubjectKind } from '../../lib/approvals/subjects';
import type { PersonaCandidateSubject } from '../retrain-personas';

/**
 * The notifications around one approval wait (workflows/shared/approval.ts): "awaiting" when a
 * version is put up for decision, "half_timeout" when half of the timeout passed without a
 * decision, then "timed_out" or "decided". Channel URLs never come here: the activity reads them
 * from the worker's configuration. A channel that stays down is logged; it never fails the
 * approval, and never holds up the decision or what follows it.
 */
export const NOTIFY: ActivityOptions = {
  startToCloseTimeout: '1 minute',
  // Receivers have bad minutes; a refusal (wrong URL, HTTP 4xx) cannot be retried away. The
  // budget (about 2 minutes of back-off) bounds how long a run's end waits for a down receiver.
  retry: { initialInterval: '5s', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 6, nonRetryableErrorTypes: ['NotificationRefused'] },
};

const { notifyApprovalEvent } = proxyActivities<NotifyActivities>(NOTIFY);

export type NoticeSubject = NotifyInput['subject'] & { facts?: string[] };
type Times = { requestedAt: string; deadline: string };
export type NoticeOutcome = { kind: 'decided'; decision: NonNullable<NotifyInput['decision']> } | { kind: 'timed_out' };

export interface ApprovalNotices {
  /**
   * The wait is over: stops the reminder (and an "awaiting" or reminder notice still retrying —
   * moot now) and sends the outcome without holding up the caller.
   */
  settle(outcome: NoticeOutcome): void;
  /** Resolves when every notice of this wait was delivered or given up on; await it before the workflow ends. */
  delivered(): Promise<void>;
}

export async function sendApprovalNotice(kind: ApprovalEventKind, subject: NoticeSubject, times: Times, decision?: NotifyInput['decision']): Promise<void> {
  const { facts, ...s } = subject;
  try {
    await notifyApprovalEvent.executeWithOptions({ ...NOTIFY, summary: `notify: ${s.title} ${kind.replace('_', ' ')}` }, [
      { kind, subject: s, ...times, facts, ...(decision ? { decision } : {}) },
    ]);
  } catch (err) {
    if (isCancellation(err)) throw err;
    log.warn('approval notification not delivered', { kind, workflowId: s.workflowId, error: (err as Error).message });
  }
}

const swallowCancellation = (err: unknown) => {
  if (!isCancellation(err)) throw err;
};

/** Sends "awaiting" and arms the half-time reminder, neither holding up the wait; call `settle` when the wait ends. */
export function openApprovalNotices(subject: NoticeSubject, timeoutMs: number, times: Times): ApprovalNotices {
  const pending = new CancellationScope();
  const opened = pending
    .run(() =>
      Promise.all([
        sendApprovalNotice('awaiting', subject, times),
        sleep(Math.floor(timeoutMs / 2), { summary: `remind approvers of ${subject.title} at half time` }).then(() =>
          sendApprovalNotice('half_timeout', subject, times),
        ),
      ]),
    )
    .then(() => undefined, swallowCancellation);
  let outcome: Promise<void> | undefined;
  return {
    settle(o) {
      pending.cancel();
      outcome = opened.then(() => sendApprovalNotice(o.kind, subject, times, o.kind === 'decided' ? o.decision : undefined));
    },
    async delivered() {
      await opened;
      await outcome;
    },
  };
}

/** What the notices say about a subject: its title, date and a few one-line facts. */
export function noticeSubject(kind: SubjectKind, subject: unknown, version: number, workflowId: string): NoticeSubject {
  if (kind === 'cleaning-plan') {
    const s = subject as CleaningSubject;
    return {
      type: kind,
      workflowId,
      version,
      title: `cleaning plan v${version} for ${s.date}`,
      date: s.date,
      facts: [
        `failing: ${s.failedChecks.join(', ')}`,
        `${s.operations.length} operation(s): ${s.plan.summary.slice(0, 300)}`,
        `judge (${s.verdict.judge}): ${s.verdict.verdict}`,
      ],
    };
  }
  const m = subject as PersonaCandidateSubject;
  const c = m.comparison;
  return {
    type: kind,
    workflowId,
    version,
    title: `persona model v${m.candidateVersion} trained on ${m.window.from}..${m.window.to}`,
    date: m.window.to,
    facts: [
      `silhouette ${c.candidate.silhouette} vs ${c.active.silhouette} (active v${m.activeVersion})`,
      `label stability ${(c.labelStability * 100).toFixed(1)}% of ${c.sampleSize} participants`,
      ...(m.reason ? [`reason: ${m.reason.slice(0, 300)}`] : []),
    ],
  };
}
