// A deliberately non-deterministic variant of the workflows, for the replay test's own check:
// NightlyPipeline lists the landing files BEFORE generating demo data (an unguarded reorder).
import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../../../activities';
import { NightlyPipeline as Original, type NightlyInput } from '../../../workflows/nightly-pipeline';

export { Backfill, PersonaLabeling, RetrainPersonas, Attribution, CleaningReview, RobynMmm } from '../../../workflows';

const { listLandingFiles } = proxyActivities<Activities>({ startToCloseTimeout: '1 minute' });

export async function NightlyPipeline(input: NightlyInput = {}) {
  await listLandingFiles({ date: input.date ?? '2026-01-01' });
  return Original(input);
}
