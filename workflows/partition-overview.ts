import { proxyActivities } from '@temporalio/workflow';
import { z } from 'zod';
import type { ConsoleActivities } from '../activities/console';
import type { PartitionRow } from '../activities/console/overview';
import { isoDate } from '../lib/dates';
import { SHORT } from './shared/activity-options';
import { parseInput } from './shared/input';

const { readPartitionOverview } = proxyActivities<ConsoleActivities>(SHORT);

export const partitionOverviewInput = z
  .object({ from: isoDate, to: isoDate })
  .strict()
  .refine((i) => i.from <= i.to, { message: 'from must not be after to', path: ['from'] });

/**
 * The partitions grid of the approvals console (dates × bronze/silver/gold/attribution/personas),
 * read by the worker, the warehouse's one writer process: statuses and counts, no data rows.
 */
export async function PartitionOverview(rawInput: z.input<typeof partitionOverviewInput>): Promise<PartitionRow[]> {
  const input = parseInput(partitionOverviewInput, rawInput, 'PartitionOverview');
  return readPartitionOverview.executeWithOptions({ ...SHORT, summary: `statuses ${input.from}..${input.to}` }, [input]);
}
