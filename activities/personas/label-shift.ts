import type { ActivityDeps } from '../../lib/deps';
import { renderSqlFile } from '../../lib/sql/render';
import { categoricalPsi, type LabelShift } from '../../personas/drift-stats';

/**
 * How the labels of the current partition differ from the reference window's, both labelled
 * with the same model version. Null when either side has no labels of that version.
 */
export async function labelShift(
  deps: ActivityDeps,
  params: { reference_from: string; reference_to: string; partition_date: string; model_version: number },
): Promise<(LabelShift & { nReference: number; nCurrent: number }) | null> {
  const rows = await deps.warehouse.query<{ sample: string; persona: string; n: number; assigned_distance_sum: number }>(
    renderSqlFile('ml/drift_label_summary.sql', deps.warehouse.dialect),
    params,
  );
  const side = (s: string) => {
    const mine = rows.filter((r) => r.sample === s);
    const mix = Object.fromEntries(mine.map((r) => [r.persona, Number(r.n)]));
    const n = mine.reduce((a, r) => a + Number(r.n), 0);
    const unassigned = mix.unassigned ?? 0;
    const distance = mine.reduce((a, r) => a + Number(r.assigned_distance_sum), 0);
    return { mix, n, unassignedShare: n ? unassigned / n : 0, meanDistance: n - unassigned ? distance / (n - unassigned) : 0 };
  };
  const ref = side('reference');
  const cur = side('current');
  if (!ref.n || !cur.n) return null;
  return {
    nReference: ref.n,
    nCurrent: cur.n,
    unassignedShare: cur.unassignedShare,
    referenceUnassignedShare: ref.unassignedShare,
    meanDistanceShift: ref.meanDistance ? (cur.meanDistance - ref.meanDistance) / ref.meanDistance : 0,
    labelPsi: categoricalPsi(ref.mix, cur.mix),
  };
}
