import { condition, defineSignal, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { Duration } from '@temporalio/common/lib/time';
import { openApprovalNotices } from '../../workflows/shared/approval-notices';
import type { NotifyActivities, NotifyInput, NotifyResult } from '../../activities/notify';

// Quick retries so the test sees them; production uses the NOTIFY option set.
const { notifyApprovalEvent } = proxyActivities<NotifyActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '200ms', backoffCoefficient: 1, maximumAttempts: 4 },
});

/** Sends the event `times` times (a second send with the same key must post nothing). */
export async function NotifyTest(input: NotifyInput, times = 1): Promise<NotifyResult[]> {
  const out: NotifyResult[] = [];
  for (let i = 0; i < times; i++) out.push(await notifyApprovalEvent(input));
  return out;
}

export const decide = defineSignal<[{ decision: 'accept' | 'reject' | 'revise'; approver: string; reason?: string }]>('decide');

/** An approval wait with notices around it, as approval.ts will run it: a decision or the timeout. */
export async function NoticedApproval(timeout: Duration): Promise<string> {
  let decision: { decision: 'accept' | 'reject' | 'revise'; approver: string; reason?: string } | undefined;
  setHandler(decide, (d) => void (decision = d));
  const subject = { type: 'cleaning_plan', workflowId: workflowInfo().workflowId, version: 1, title: 'cleaning plan v1 for 2031-05-01', date: '2031-05-01' };
  const notices = await openApprovalNotices({ ...subject, facts: ['failing: negative_revenue'] }, timeout);
  const decided = await condition(() => decision !== undefined, timeout);
  await notices.settle(decided ? { kind: 'decided', decision: decision! } : { kind: 'timed_out' });
  return decided ? decision!.decision : 'timed_out';
}
