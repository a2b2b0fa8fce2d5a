import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import type { ActivityDeps } from '../../lib/deps';
import { compactDate } from '../../lib/dates';
import { withHeartbeat } from '../../lib/heartbeat';
import { renderSqlFile } from '../../lib/sql/render';
import { FEATURES } from '../../personas/model';
import { writeParticipantsCsv, type ParticipantManifest, type ParticipantOptions } from '../../generator/personas';
import { loadModel } from './registry';

/**
 * How survey participants enter the warehouse: a CSV in the landing area under
 * `landing/survey/<date>/participants.csv` (outside the nightly sources' folders, so the bronze
 * loader never sees it) → Warehouse.loadRawFile into a staging table → typed, finite rows of the
 * partition replace `ml.survey_participants` for that date in one transaction.
 */
export const participantsKey = (date: string) => `landing/survey/${date}/participants.csv`;

export interface GenerateParticipantsResult extends ParticipantManifest {
  key: string;
  /** The model whose centroids the participants were drawn around. */
  drawnAroundVersion: number;
}

/** Draws participants around the oldest vendor model's centroids (the "real world" the vendor measured). */
export async function generateSurveyParticipants(deps: ActivityDeps, opts: ParticipantOptions): Promise<GenerateParticipantsResult> {
  const [first] = await deps.warehouse.query<{ v: number }>(`select min(model_version) as v from ml.persona_models where source like 'vendor:%'`);
  if (first?.v == null)
    throw ApplicationFailure.nonRetryable('no vendor persona model to draw participants around: run `dag personas import <file>` first', 'InvalidInput');
  const { model } = await loadModel(deps, Number(first.v));
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dag-personas-'));
  try {
    const file = path.join(dir, 'participants.csv');
    const manifest = await withHeartbeat(
      async () => writeParticipantsCsv(file, model, opts),
      () => ({ phase: 'generating participants', date: opts.date }),
    );
    const key = participantsKey(opts.date);
    await deps.store.putStream(key, fs.createReadStream(file));
    return { ...manifest, key, drawnAroundVersion: model.version };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export interface LoadParticipantsResult {
  date: string;
  key: string;
  rowsRead: number;
  rowsLoaded: number;
  rowsRejected: number;
}

export async function loadSurveyParticipants(deps: ActivityDeps, input: { date: string; key?: string }): Promise<LoadParticipantsResult> {
  const key = input.key ?? participantsKey(input.date);
  if (!(await deps.store.exists(key)))
    throw ApplicationFailure.nonRetryable(`no participants file at ${key}: generate one or land the survey export there`, 'InvalidInput');
  const wh = deps.warehouse;
  const raw = `staging.raw_survey_participants_${compactDate(input.date)}`;
  const copy = await deps.store.localCopy(key);
  try {
    return await withHeartbeat(
      async () => {
        const loaded = await wh.loadRawFile(raw, { path: copy.path, format: 'csv', compression: key.endsWith('.gz') ? 'gzip' : 'none' }, [
          'participant_id',
          'partition_date',
          ...FEATURES,
        ]);
        const params = { partition_date: input.date, source_key: key };
        const n = await wh.transaction(async (tx) => {
          await tx.exec(`delete from ml.survey_participants where partition_date = cast($partition_date as date)`, { partition_date: input.date });
          await tx.exec(`insert into ml.survey_participants ${renderSqlFile('ml/load_participants.sql', wh.dialect, { raw })}`, params);
          const [c] = await tx.query<{ n: number }>(`select count(*) as n from ml.survey_participants where partition_date = cast($partition_date as date)`, {
            partition_date: input.date,
          });
          return Number(c.n);
        });
        return { date: input.date, key, rowsRead: loaded.rows, rowsLoaded: n, rowsRejected: loaded.rows - n };
      },
      () => ({ phase: 'loading participants', key }),
    );
  } finally {
    await wh.exec(`drop table if exists ${raw}`).catch(() => undefined);
    await copy.release();
  }
}
