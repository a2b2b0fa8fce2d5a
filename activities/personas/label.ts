import { ApplicationFailure } from '@temporalio/common';
import type { ActivityDeps } from '../../lib/deps';
import { withHeartbeat } from '../../lib/heartbeat';
import { renderSqlFile } from '../../lib/sql/render';
import { thresholdOf } from '../../personas/model';
import { registryEntry } from './registry';

export interface LabelInput {
  date: string;
  /** Default: the active model. */
  modelVersion?: number;
  threshold?: number;
}

export interface LabelResult {
  date: string;
  modelVersion: number;
  threshold: number;
  rows: number;
  unassigned: number;
  meanDistance: number;
  perPersona: Record<string, number>;
  durationMs: number;
}

/**
 * Labels one partition in the warehouse (sql/ml/label_participants.sql), replacing whatever
 * labels the partition had (any version) in one transaction: re-runs are harmless.
 */
export async function labelParticipants(deps: ActivityDeps, input: LabelInput): Promise<LabelResult> {
  const started = Date.now();
  const entry = await registryEntry(deps, input.modelVersion).catch((err: Error) => {
    throw ApplicationFailure.nonRetryable(err.message, 'InvalidInput');
  });
  const threshold = thresholdOf(entry, input.threshold);
  const wh = deps.warehouse;
  const params = { partition_date: input.date, model_version: entry.version, threshold };
  const sql = renderSqlFile('ml/label_participants.sql', wh.dialect, { participants: 'ml.survey_participants' });
  const rows = await withHeartbeat(
    () =>
      wh.transaction(async (tx) => {
        await tx.exec(`delete from ml.persona_labels where partition_date = cast($partition_date as date)`, { partition_date: input.date });
        await tx.exec(`insert into ml.persona_labels ${sql}`, params);
        return tx.query<{ persona: string; n: number; distance_sum: number }>(
          `select persona, count(*) as n, sum(distance) as distance_sum from ml.persona_labels where partition_date = cast($partition_date as date) group by persona order by persona`,
          { partition_date: input.date },
        );
      }),
    () => ({ phase: 'labeling', date: input.date, modelVersion: entry.version }),
  );
  const total = rows.reduce((s, r) => s + Number(r.n), 0);
  const perPersona = Object.fromEntries(rows.map((r) => [r.persona, Number(r.n)]));
  return {
    date: input.date,
    modelVersion: entry.version,
    threshold,
    rows: total,
    unassigned: perPersona.unassigned ?? 0,
    meanDistance: total ? rows.reduce((s, r) => s + Number(r.distance_sum), 0) / total : 0,
    perPersona,
    durationMs: Date.now() - started,
  };
}
