import { randomUUID } from 'node:crypto';
import type { ActivityDeps } from '../../lib/deps';
import { activityContext, withHeartbeat } from '../../lib/heartbeat';
import { renderSqlFile } from '../../lib/sql/render';
import { FEATURES } from '../../personas/model';
import { commonGrid, featureDrift, type SampleSummary } from '../../personas/drift-grid';
import { decideDrift, DEFAULT_DRIFT_THRESHOLDS, type DriftThresholds, type FeatureDrift } from '../../personas/drift-stats';
import { featureChartSvg } from '../../personas/svg-chart';
import { labelShift } from './label-shift';
import { registryEntry, setReference } from './registry';
import { nowUtc } from '../ingest/load-bronze';

export interface DriftInput {
  date: string;
  modelVersion?: number;
  thresholds?: Partial<DriftThresholds>;
}

export interface DriftResult {
  reportId: string;
  date: string;
  modelVersion: number;
  reference: { from: string; to: string };
  /** True when this run set the reference (the model had none): nothing to compare yet. */
  baseline: boolean;
  isDrift: boolean;
  reasons: string[];
  driftedFeatures: string[];
  driftedFeatureShare: number;
  labelShift: Awaited<ReturnType<typeof labelShift>>;
  chartPrefix: string;
}

/**
 * Compares the partition with the active model's reference window and stores the report
 * (ml.drift_reports) and one SVG chart per feature under `ml/drift/<date>/v<N>/`.
 * A model without a reference window takes this partition as its reference.
 */
export async function computeDrift(deps: ActivityDeps, input: DriftInput): Promise<DriftResult> {
  const t = { ...DEFAULT_DRIFT_THRESHOLDS, ...input.thresholds };
  const entry = await registryEntry(deps, input.modelVersion);
  const baseline = !entry.referenceFrom || !entry.referenceTo;
  if (baseline) await setReference(deps, entry.version, input.date, input.date);
  const reference = { from: entry.referenceFrom ?? input.date, to: entry.referenceTo ?? input.date };
  const params = { reference_from: reference.from, reference_to: reference.to, partition_date: input.date };
  const chartPrefix = `ml/drift/${input.date}/v${entry.version}/`;
  const progress = { phase: 'drift', feature: '' };
  const features = await withHeartbeat(
    async () => {
      const out: FeatureDrift[] = [];
      for (const feature of FEATURES) {
        progress.feature = feature;
        out.push(
          await oneFeature(deps, feature, params, t, chartPrefix, `reference ${reference.from}..${reference.to} vs ${input.date}, model v${entry.version}`),
        );
      }
      return out;
    },
    () => progress,
  );
  const shift = await labelShift(deps, { ...params, model_version: entry.version });
  const decision = baseline ? { isDrift: false, reasons: [], driftedShare: 0 } : decideDrift(features, shift, t);
  const result: DriftResult = {
    reportId: randomUUID(),
    date: input.date,
    modelVersion: entry.version,
    reference,
    baseline,
    isDrift: decision.isDrift,
    reasons: baseline ? [`baseline: ${input.date} became the reference of model v${entry.version}`] : decision.reasons,
    driftedFeatures: features.filter((f) => f.drifted).map((f) => f.feature),
    driftedFeatureShare: decision.driftedShare,
    labelShift: shift,
    chartPrefix,
  };
  await storeReport(deps, result, features, t);
  return result;
}

async function oneFeature(
  deps: ActivityDeps,
  feature: string,
  params: Record<string, string>,
  t: DriftThresholds,
  prefix: string,
  caption: string,
): Promise<FeatureDrift> {
  const wh = deps.warehouse;
  const vars = { participants: 'ml.survey_participants', feature };
  const summaries = await wh.query<{ sample: string; n: number; mean: number; std: number; min_value: number; max_value: number }>(
    renderSqlFile('ml/drift_feature_summary.sql', wh.dialect, vars),
    params,
  );
  const pick = (s: string): SampleSummary => {
    const r = summaries.find((x) => x.sample === s);
    if (!r || !Number(r.n)) throw new Error(`no ${s} rows for ${feature}: is the partition loaded and labelled?`);
    return { n: Number(r.n), mean: Number(r.mean), std: Number(r.std ?? 0), min: Number(r.min_value), max: Number(r.max_value) };
  };
  const ref = pick('reference');
  const cur = pick('current');
  const grid = commonGrid(ref, cur);
  const rows = await wh.query<{ sample: string; bin: number; n: number }>(renderSqlFile('ml/drift_feature_histogram.sql', wh.dialect, vars), {
    ...params,
    lo: grid.lo,
    width: grid.width,
    bins: grid.bins,
  });
  const counts = (s: string) => {
    const xs = new Array<number>(grid.bins).fill(0);
    rows.filter((r) => r.sample === s).forEach((r) => (xs[Number(r.bin)] = Number(r.n)));
    return xs;
  };
  const [refCounts, curCounts] = [counts('reference'), counts('current')];
  const f = featureDrift(feature, ref, cur, grid, refCounts, curCounts, t);
  await deps.store.put(`${prefix}${feature}.svg`, featureChartSvg(f, grid, refCounts, curCounts, caption));
  return f;
}

async function storeReport(deps: ActivityDeps, r: DriftResult, features: FeatureDrift[], t: DriftThresholds): Promise<void> {
  const s = r.labelShift;
  await deps.warehouse.transaction(async (tx) => {
    await tx.exec(`delete from ml.drift_reports where partition_date = cast($d as date) and model_version = $v`, { d: r.date, v: r.modelVersion });
    await tx.exec(
      `insert into ml.drift_reports values ($id, cast($d as date), $v, cast($rf as date), cast($rt as date), $nr, $nc, $drift, $reasons, $drifted, $share, $ua, $rua, $mds, $lpsi, $features, $thresholds, $prefix, $wf, cast($now as timestamp))`,
      {
        id: r.reportId,
        d: r.date,
        v: r.modelVersion,
        rf: r.reference.from,
        rt: r.reference.to,
        nr: s?.nReference ?? 0,
        nc: s?.nCurrent ?? 0,
        drift: r.isDrift,
        reasons: r.reasons.join('; ') || null,
        drifted: r.driftedFeatures.join(',') || null,
        share: r.driftedFeatureShare,
        ua: s?.unassignedShare ?? null,
        rua: s?.referenceUnassignedShare ?? null,
        mds: s?.meanDistanceShift ?? null,
        lpsi: s?.labelPsi ?? null,
        features: JSON.stringify(features),
        thresholds: JSON.stringify(t),
        prefix: r.chartPrefix,
        wf: activityContext()?.info.workflowExecution?.workflowId ?? null,
        now: nowUtc(),
      },
    );
  });
}
