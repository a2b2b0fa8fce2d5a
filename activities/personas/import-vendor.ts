import * as fs from 'node:fs';
import * as path from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import type { ActivityDeps } from '../../lib/deps';
import type { Warehouse } from '../../adapters/warehouse/warehouse';
import { activityContext } from '../../lib/heartbeat';
import { renderSqlFile, statements } from '../../lib/sql/render';
import { readVendorFile, unitsProblem, VendorFileError } from '../../personas/vendor-file';
import { labelVector } from '../../personas/label-vector';
import { FEATURES, thresholdOf, UNASSIGNED, type ModelDraft } from '../../personas/model';
import { activateModel, registerModel, type Activation } from './registry';

/** DDL of the ml schema's persona tables (to be listed in lib/bootstrap.ts DDL_FILES). */
export const PERSONA_DDL_FILES = ['ml/ml_tables.sql'];

export async function bootstrapPersonaTables(wh: Warehouse): Promise<void> {
  for (const file of PERSONA_DDL_FILES) for (const stmt of statements(renderSqlFile(file, wh.dialect))) await wh.exec(stmt);
}

export interface ImportInput {
  /** The vendor file in the object store (`dag personas import` puts it under ml/imports/). */
  key: string;
  /** The file's own name (its extension says CSV or JSON; messages name it). */
  fileName: string;
  activate?: boolean;
  /** The model's unassigned threshold in its own distance units (needed when it has no scaler). */
  threshold?: number;
}

export interface ExpectedUnassigned {
  /** Share of the sample the model would label `unassigned` with its threshold. */
  share: number;
  sampleSize: number;
  /** The partition the sample was taken from (the latest loaded one). */
  date: string;
}

export interface ImportResult {
  version: number;
  personas: string[];
  activated: boolean;
  threshold: number;
  scaler: 'vendor' | 'none';
  /** Undefined when no survey participants were loaded yet. */
  expectedUnassigned?: ExpectedUnassigned;
  /** Retrain candidates this activation made stale (their reviews are told). */
  staleCandidates: Activation['staleCandidates'];
}

const SAMPLE = 5000;

/**
 * Imports a vendor file as the next model version, in the worker (the only process that opens
 * the warehouse). Refused before anything is written (non-retryable InvalidInput, one line) when
 * the file is bad or when its threshold cannot apply to its units. It becomes active when no
 * model is active yet, or with `activate`; otherwise it waits as a candidate. The expected
 * unassigned share is measured on the latest loaded participants (labelled in memory, as the
 * HTTP endpoint does). A retry of the same workflow run returns the version it registered.
 */
export async function importPersonaModel(deps: ActivityDeps, input: ImportInput): Promise<ImportResult> {
  const text = (await deps.store.get(input.key)).toString('utf8');
  let read: ReturnType<typeof readVendorFile>;
  try {
    read = readVendorFile(input.fileName, text);
  } catch (err) {
    if (err instanceof VendorFileError) throw ApplicationFailure.nonRetryable(err.message, 'InvalidInput');
    throw err;
  }
  const draft: ModelDraft = { ...read.draft, ...(input.threshold === undefined ? {} : { threshold: input.threshold }) };
  const expected = await expectedUnassigned(deps, draft);
  const problem = unitsProblem(input.fileName, read.hasScaler, input.threshold);
  if (problem) {
    const measured = expected ? ` (on ${expected.sampleSize} participants of ${expected.date} it would label ${pct(expected.share)} unassigned)` : '';
    throw ApplicationFailure.nonRetryable(`${problem}${measured}`, 'InvalidInput');
  }
  const [{ n }] = await deps.warehouse.query<{ n: number }>(`select count(*) as n from ml.persona_models where status = 'active'`);
  const info = activityContext()?.info.workflowExecution;
  const registration = info ? { workflowId: info.workflowId, runId: info.runId } : undefined;
  const model = await registerModel(deps, draft, { activate: false, registration, threshold: input.threshold });
  const wantActive = input.activate || Number(n) === 0;
  const activation = wantActive ? await activateModel(deps, model.version, { workflowId: registration?.workflowId }) : undefined;
  deps.logger.info('persona model imported', { version: model.version, personas: model.personas.length, source: model.source, activated: wantActive });
  return {
    version: model.version,
    personas: model.personas.map((p) => p.name),
    activated: wantActive,
    threshold: thresholdOf(model),
    scaler: read.hasScaler ? 'vendor' : 'none',
    ...(expected ? { expectedUnassigned: expected } : {}),
    staleCandidates: activation?.staleCandidates ?? [],
  };
}

/** What the model would leave unassigned on the latest loaded participants, or undefined without any. */
export async function expectedUnassigned(deps: ActivityDeps, draft: ModelDraft): Promise<ExpectedUnassigned | undefined> {
  const [latest] = await deps.warehouse.query<{ d: string | null }>(`select cast(max(partition_date) as varchar) as d from ml.survey_participants`);
  if (!latest?.d) return undefined;
  const rows = await deps.warehouse.query<Record<string, number>>(
    `select ${FEATURES.join(', ')} from ml.survey_participants where partition_date = cast($d as date) order by participant_id limit ${SAMPLE}`,
    { d: latest.d },
  );
  if (!rows.length) return undefined;
  const model = { ...draft, version: 0 };
  const threshold = thresholdOf(draft);
  const unassigned = rows.filter(
    (r) =>
      labelVector(
        model,
        FEATURES.map((f) => Number(r[f])),
        threshold,
      ).persona === UNASSIGNED,
  ).length;
  return { share: Math.round((unassigned / rows.length) * 1e4) / 1e4, sampleSize: rows.length, date: latest.d };
}

const pct = (share: number) => `${(share * 100).toFixed(1)} %`;

/**
 * For tests and benchmarks that own their warehouse (no worker running): the same import from a
 * local file, through the object store.
 */
export async function importVendorFile(deps: ActivityDeps, file: string, opts: { activate?: boolean; threshold?: number } = {}): Promise<ImportResult> {
  await bootstrapPersonaTables(deps.warehouse);
  const key = `ml/imports/local/${path.basename(file)}`;
  await deps.store.put(key, fs.readFileSync(file));
  return importPersonaModel(deps, { key, fileName: file, ...opts });
}
