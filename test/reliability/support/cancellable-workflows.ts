// Test-only workflows for SQL cancellation: each runs one warehouse activity with the long-SQL
// options and waits for the activity to acknowledge a cancellation (WAIT_CANCELLATION_COMPLETED),
// so a cancelled workflow means a stopped activity.
import { ActivityCancellationType, proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../../../activities';
import type { LoadBronzeInput } from '../../../activities/ingest/load-bronze';
import { LONG_SQL } from '../../../workflows/shared/activity-options';

export interface CancellableActivities {
  /** Inserts a marker row, then runs a statement that would take hours, in ONE transaction. */
  holdTransaction(input: { marker: string }): Promise<void>;
}

const opts = { ...LONG_SQL, cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED };
const { holdTransaction } = proxyActivities<CancellableActivities>(opts);
const { loadBronzeFile } = proxyActivities<Activities>(opts);

export async function LongTransaction(marker: string): Promise<void> {
  await holdTransaction({ marker });
}

export async function LongLoad(input: LoadBronzeInput): Promise<unknown> {
  return loadBronzeFile(input);
}
