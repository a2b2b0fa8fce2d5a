import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../../activities';
import type { ChecksOutcome } from '../../activities/quality/run-checks';
import { LONG_SQL, SHORT } from './activity-options';

const { buildModel } = proxyActivities<Activities>(LONG_SQL);
const { planModels, runQualityChecks } = proxyActivities<Activities>(SHORT);

export interface LayerRun {
  rows: number;
  models: Record<string, number>;
  durationMs: number;
}

/**
 * Builds a layer's models for a partition wave by wave (the plan comes from the SQL files'
 * dependencies), models of one wave in parallel — so the UI shows the DAG as it runs.
 */
export async function buildLayer(layer: 'silver' | 'gold', date: string): Promise<LayerRun> {
  const started = Date.now();
  const plan = await planModels.executeWithOptions({ ...SHORT, summary: `plan ${layer} models (waves from the SQL dependencies)` }, [{ layer }]);
  const models: Record<string, number> = {};
  for (const wave of plan.waves) {
    const built = await Promise.all(
      wave.map((m) =>
        buildModel.executeWithOptions({ ...LONG_SQL, summary: `${layer}.${m.name} for ${date}${layer === 'gold' ? ' (staging)' : ''}` }, [
          { date, layer, model: m.name },
        ]),
      ),
    );
    for (const b of built) models[b.model] = b.rows;
  }
  return { rows: Object.values(models).reduce((s, n) => s + n, 0), models, durationMs: Date.now() - started };
}

/** Evaluates a stage's checks; `warnOnly` checks only warn in this run (e.g. files_failed when partial data is accepted). */
export async function checkStage(stage: 'silver' | 'gold', date: string, warnOnly?: string[]): Promise<ChecksOutcome> {
  return runQualityChecks.executeWithOptions({ ...SHORT, summary: `${stage} quality checks for ${date}` }, [
    { date, stage, ...(warnOnly?.length ? { warnOnly } : {}) },
  ]);
}

export function describeChecks(c: ChecksOutcome): string {
  const passed = c.results.filter((r) => r.status === 'pass').length;
  const skipped = c.results.filter((r) => r.status === 'not_evaluated').length;
  // "N of M", never "N/M": the Temporal UI renders details as Markdown, which turns 9/9 into a fraction glyph.
  const parts = [`${passed} of ${c.results.length - skipped} ${c.stage} checks passed${skipped ? ` (${skipped} not evaluated)` : ''}`];
  if (c.failed.length) parts.push(`FAILED ${c.failed.join(', ')}`);
  if (c.warnings.length) parts.push(`warnings ${c.warnings.join(', ')}`);
  return parts.join('; ');
}
