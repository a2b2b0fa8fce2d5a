import type { Session } from '../../adapters/warehouse/warehouse';
import type { ActivityDeps } from '../../lib/deps';
import { nowUtc } from '../ingest/load-bronze';
import type { ObjectStore } from '../../adapters/object-store/object-store';
import { ACTIVE_POINTER_KEY, artifactKey, FEATURES, personaModelSchema, type ModelDraft, type PersonaModel } from '../../personas/model';

export type ModelStatus = 'candidate' | 'active' | 'retired' | 'rejected';

export interface RegistryEntry {
  version: number;
  status: ModelStatus;
  source: string;
  artifactKey: string;
  referenceFrom: string | null;
  referenceTo: string | null;
  parentVersion: number | null;
  metrics: Record<string, unknown> | null;
}

export class RegistryError extends Error {
  override name = 'RegistryError';
}

const ROW = `select model_version, status, source, artifact_key, cast(reference_from as varchar) as reference_from,
  cast(reference_to as varchar) as reference_to, parent_version, metrics_json from ml.persona_models`;

/**
 * Registers a model under the next version: registry row, centroids and scaler (for SQL) and
 * the artifact JSON, all in one transaction; with `activate` the previous active version is
 * retired in the same transaction, so there is never zero or two active versions.
 */
export async function registerModel(
  deps: ActivityDeps,
  draft: ModelDraft,
  opts: { activate: boolean; parentVersion?: number; metrics?: Record<string, unknown>; reference?: { from: string; to: string } },
): Promise<PersonaModel> {
  const model = await deps.warehouse.transaction(async (tx) => {
    const [{ next }] = await tx.query<{ next: number }>(`select coalesce(max(model_version), 0) + 1 as next from ml.persona_models`);
    const model = personaModelSchema.parse({ ...draft, version: Number(next), createdAt: new Date().toISOString() });
    const now = nowUtc();
    await tx.exec(
      `insert into ml.persona_models values ($v, 'candidate', $source, $features, $scaling, $metrics, $key, cast($rf as date), cast($rt as date), $parent, cast($now as timestamp), null, null)`,
      {
        v: model.version,
        source: model.source,
        features: model.features.join(','),
        scaling: JSON.stringify(model.scaling),
        metrics: opts.metrics ? JSON.stringify(opts.metrics) : null,
        key: artifactKey(model.version),
        rf: opts.reference?.from ?? null,
        rt: opts.reference?.to ?? null,
        parent: opts.parentVersion ?? null,
        now,
      },
    );
    const cols = FEATURES.join(', ');
    const slots = FEATURES.map((f) => `$${f}`).join(', ');
    const vec = (v: number[]) => Object.fromEntries(FEATURES.map((f, i) => [f, v[i]]));
    for (const [i, p] of model.personas.entries()) {
      await tx.exec(`insert into ml.persona_centroids (model_version, persona_id, persona, ${cols}) values ($v, $id, $name, ${slots})`, {
        v: model.version,
        id: i,
        name: p.name,
        ...vec(p.centroid),
      });
    }
    for (const stat of ['mean', 'std'] as const) {
      await tx.exec(`insert into ml.persona_scaling (model_version, stat, ${cols}) values ($v, $stat, ${slots})`, {
        v: model.version,
        stat,
        ...vec(model.scaling[stat]),
      });
    }
    if (opts.activate) await activateIn(tx, model.version);
    await deps.store.put(artifactKey(model.version), JSON.stringify(model, null, 2));
    return model;
  });
  if (opts.activate) await writeActivePointer(deps.store, model.version);
  return model;
}

/** Makes `version` the one active model, retiring the previous one (kept, never deleted). */
export async function activateModel(deps: ActivityDeps, version: number): Promise<void> {
  await deps.warehouse.transaction((tx) => activateIn(tx, version));
  await writeActivePointer(deps.store, version);
}

/** Written after the registry commits; a retry of the activation rewrites it. */
async function writeActivePointer(store: ObjectStore, version: number): Promise<void> {
  await store.put(ACTIVE_POINTER_KEY, JSON.stringify({ version, artifactKey: artifactKey(version), activatedAt: new Date().toISOString() }));
}

/** The active model from the object store alone (for the HTTP endpoint, which needs no warehouse). */
export async function loadActiveFromStore(store: ObjectStore): Promise<PersonaModel> {
  const pointer = JSON.parse((await store.get(ACTIVE_POINTER_KEY)).toString('utf8')) as { artifactKey: string };
  return personaModelSchema.parse(JSON.parse((await store.get(pointer.artifactKey)).toString('utf8')));
}

async function activateIn(tx: Session, version: number): Promise<void> {
  const [row] = await tx.query<{ status: string }>(`select status from ml.persona_models where model_version = $v`, { v: version });
  if (!row) throw new RegistryError(`persona model v${version} does not exist`);
  if (row.status === 'active') return;
  if (row.status !== 'candidate') throw new RegistryError(`persona model v${version} is ${row.status}; only a candidate can be activated`);
  const now = nowUtc();
  await tx.exec(`update ml.persona_models set status = 'retired', retired_at = cast($now as timestamp) where status = 'active'`, { now });
  await tx.exec(`update ml.persona_models set status = 'active', activated_at = cast($now as timestamp) where model_version = $v`, { v: version, now });
  const [{ n }] = await tx.query<{ n: number }>(`select count(*) as n from ml.persona_models where status = 'active'`);
  if (Number(n) !== 1) throw new RegistryError(`registry would have ${n} active persona models; rolled back`);
}

export async function rejectModel(deps: ActivityDeps, version: number): Promise<void> {
  await deps.warehouse.exec(`update ml.persona_models set status = 'rejected' where model_version = $v and status = 'candidate'`, { v: version });
}

export async function setReference(deps: ActivityDeps, version: number, from: string, to: string): Promise<void> {
  await deps.warehouse.exec(`update ml.persona_models set reference_from = cast($f as date), reference_to = cast($t as date) where model_version = $v`, {
    v: version,
    f: from,
    t: to,
  });
}

export async function registryEntry(deps: ActivityDeps, version?: number): Promise<RegistryEntry> {
  const rows = await deps.warehouse.query(
    version === undefined ? `${ROW} where status = 'active'` : `${ROW} where model_version = $v`,
    version === undefined ? undefined : { v: version },
  );
  if (!rows.length)
    throw new RegistryError(
      version === undefined ? 'no active persona model: import one with `dag personas import <file>`' : `persona model v${version} does not exist`,
    );
  const r = rows[0];
  return {
    version: Number(r.model_version),
    status: r.status as ModelStatus,
    source: String(r.source),
    artifactKey: String(r.artifact_key),
    referenceFrom: (r.reference_from as string | null) ?? null,
    referenceTo: (r.reference_to as string | null) ?? null,
    parentVersion: r.parent_version == null ? null : Number(r.parent_version),
    metrics: r.metrics_json ? JSON.parse(String(r.metrics_json)) : null,
  };
}

/** The full model (artifact) of a version, default the active one. */
export async function loadModel(deps: ActivityDeps, version?: number): Promise<{ model: PersonaModel; entry: RegistryEntry }> {
  const entry = await registryEntry(deps, version);
  const model = personaModelSchema.parse(JSON.parse((await deps.store.get(entry.artifactKey)).toString('utf8')));
  return { model, entry };
}
