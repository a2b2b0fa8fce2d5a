import { proxyActivities } from '@temporalio/workflow';
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
