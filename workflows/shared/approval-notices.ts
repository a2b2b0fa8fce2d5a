import { CancellationScope, isCancellation, log, proxyActivities, sleep } from '@temporalio/workflow';
import { msToNumber, type Duration } from '@temporalio/common/lib/time';
import type { ActivityOptions } from '@temporalio/workflow';
import type { ApprovalEventKind, NotifyActivities, NotifyInput } from '../../activities/notify';

/**
 * The notifications around one approval wait, for the workflow side: "awaiting" when a version is
 * put up for decision, "half_timeout" when half of the timeout passed without a decision,
 * "timed_out" or "decided" when it ends. Channel URLs never come here: the activity reads them
 * from the worker's configuration. A channel that stays down is logged, never a reason to fail
 * or delay the approval itself.
 */
export const NOTIFY: ActivityOptions = {
  startToCloseTimeout: '1 minute',
  // Receivers have bad minutes; a refusal (wrong URL, HTTP 4xx) cannot be retried away.
  retry: { initialInterval: '5s', backoffCoefficient: 2, maximumInterval: '5 minutes', maximumAttempts: 8, nonRetryableErrorTypes: ['NotificationRefused'] },
};

const { notifyApprovalEvent } = proxyActivities<NotifyActivities>(NOTIFY);

export type NoticeSubject = NotifyInput['subject'] & { facts?: string[] };

export interface ApprovalNotices {
  /** Ends the reminder and sends the outcome. */
  settle(outcome: { kind: 'decided'; decision: NonNullable<NotifyInput['decision']> } | { kind: 'timed_out' }): Promise<void>;
}

export async function sendApprovalNotice(
  kind: ApprovalEventKind,
  subject: NoticeSubject,
  times: { requestedAt: string; deadline: string },
  decision?: NotifyInput['decision'],
) {
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

/** Sends "awaiting" (without holding up the caller) and arms the half-time reminder; call `settle` when the wait ends. */
export async function openApprovalNotices(subject: NoticeSubject, timeout: Duration): Promise<ApprovalNotices> {
  const ms = msToNumber(timeout);
  const times = { requestedAt: new Date().toISOString(), deadline: new Date(Date.now() + ms).toISOString() };
  // Not awaited here: a receiver that is down must not delay the wait (settle waits for it, so the order holds).
  const announced = sendApprovalNotice('awaiting', subject, times).catch((err: unknown) => {
    if (!isCancellation(err)) throw err;
  });
  const reminder = new CancellationScope();
  const reminded = reminder
    .run(async () => {
      await sleep(Math.floor(ms / 2), { summary: `remind approvers of ${subject.title} at half time` });
      await sendApprovalNotice('half_timeout', subject, times);
    })
    .catch((err: unknown) => {
      if (!isCancellation(err)) throw err;
    });
  return {
    async settle(outcome) {
      reminder.cancel();
      await Promise.all([announced, reminded]);
      await sendApprovalNotice(outcome.kind, subject, times, outcome.kind === 'decided' ? outcome.decision : undefined);
    },
  };
}
