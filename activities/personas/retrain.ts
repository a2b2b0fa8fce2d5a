import { ApplicationFailure } from '@temporalio/common';
import type { ActivityDeps } from '../../lib/deps';
import { activityContext, withHeartbeat } from '../../lib/heartbeat';
import { renderSqlFile } from '../../lib/sql/render';
import { FEATURES } from '../../personas/model';
import { trainCandidate, type Comparison } from '../../personas/train';
import { loadModel, registerModel } from './registry';

export interface TrainInput {
  window: { from: string; to: string };
  /** Default: the active model. */
  baseVersion?: number;
  compareK?: boolean;
  sampleSize?: number;
  silhouetteSample?: number;
  /** Recorded as the candidate's source (`retrain:<id>`). */
  runId: string;
}

export interface TrainResult {
  version: number;
  baseVersion: number;
  personas: string[];
  comparison: Comparison;
}

/**
 * Trains a candidate on a deterministic sample of the window and registers it (not active) under
 * a version of its own, also when other retrains register at the same time. A retry of the same
 * workflow run (after its registration committed) returns that registration instead of another.
 */
export async function trainPersonaCandidate(deps: ActivityDeps, input: TrainInput): Promise<TrainResult> {
  const { model: active } = await loadModel(deps, input.baseVersion);
  const rows = await deps.warehouse.query<Record<string, number>>(renderSqlFile('ml/training_sample.sql', deps.warehouse.dialect), {
    window_from: input.window.from,
    window_to: input.window.to,
    sample_size: input.sampleSize ?? 50_000,
  });
  if (rows.length < active.personas.length * 10) {
    throw ApplicationFailure.nonRetryable(
      `only ${rows.length} participants in ${input.window.from}..${input.window.to}: too few to retrain ${active.personas.length} personas`,
      'InvalidInput',
    );
  }
  const points = rows.map((r) => FEATURES.map((f) => Number(r[f])));
  const { draft, comparison } = await withHeartbeat(
    async () => trainCandidate(active, points, { compareK: input.compareK ?? false, silhouetteSample: input.silhouetteSample ?? 2000 }),
    () => ({ phase: 'k-means', points: points.length }),
  );
  const run = activityContext()?.info.workflowExecution;
  const model = await registerModel(
    deps,
    { ...draft, source: `retrain:${input.runId}` },
    {
      activate: false,
      parentVersion: active.version,
      metrics: comparison as unknown as Record<string, unknown>,
      reference: input.window,
      registration: run ? { workflowId: run.workflowId, runId: run.runId } : undefined,
    },
  );
  return { version: model.version, baseVersion: active.version, personas: model.personas.map((p) => p.name), comparison };
}
