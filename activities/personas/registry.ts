import type { Session, Warehouse } from '../../adapters/warehouse/warehouse';
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
  /** The model's own unassigned threshold; null: DEFAULT_UNASSIGNED_THRESHOLD. */
  threshold: number | null;
  registeredWorkflow: string | null;
  registeredRun: string | null;
}

export class RegistryError extends Error {
  override name = 'RegistryError';
}

/** A candidate trained against a model that is no longer the active one: it can never be promoted. */
export class StaleCandidateError extends RegistryError {
  override name = 'StaleCandidateError';
}

/** The workflow run registering a model: a retry of the same run finds its registration again. */
export interface Registration {
  workflowId: string;
  runId: string;
}

const ROW = `select model_version, status, source, artifact_key, cast(reference_from as varchar) as reference_from,
  cast(reference_to as varchar) as reference_to, parent_version, metrics_json, unassigned_threshold, registered_workflow, registered_run
  from ml.persona_models`;

const keyed = new WeakSet<Warehouse>();

/**
 * model_version is unique. DuckDB enforces a unique index at commit, so of two registrations
 * that picked the same next version one commits and the other fails and retries (below). Created
 * here rather than in the DDL so tables made before it get it too; Snowflake has no enforced
 * unique keys (see README: concurrent registrations there are not protected by the database).
 */
export async function ensureVersionKey(wh: Warehouse): Promise<void> {
  if (wh.dialect !== 'duckdb' || keyed.has(wh)) return;
  try {
    await wh.exec(`create unique index if not exists persona_models_version_key on ml.persona_models (model_version)`);
  } catch (err) {
    const dup = await wh.query<{ v: number; n: number }>(
      `select model_version as v, count(*) as n from ml.persona_models group by model_version having count(*) > 1 order by v`,
    );
    if (!dup.length) throw err;
    throw new RegistryError(
      `ml.persona_models holds duplicate versions (${dup.map((d) => `v${d.v} ×${d.n}`).join(', ')}) from before versions were unique: keep one row of each and retry`,
    );
  }
  keyed.add(wh);
}

/** A commit that lost a race for the same version (unique key) or the same rows (write conflict). */
const lostRace = (err: unknown) => /constraint|duplicate key|conflict/i.test(String((err as Error)?.message ?? err));

/**
 * Registers a model under the next free version: registry row, centroids and scaler (for SQL) in
 * one transaction; with `activate` the previous active version is retired in the same
 * transaction, so there is never zero or two active versions. Two registrations at once get two
 * versions: the one that loses the race for a version retries with the next. The artifact JSON
 * is written after the commit, by the registration that owns the version only (never
 * overwriting another's); a retry of the same workflow run (`registration`) returns its model.
 */
export async function registerModel(
  deps: ActivityDeps,
  draft: ModelDraft,
  opts: {
    activate: boolean;
    parentVersion?: number;
    metrics?: Record<string, unknown>;
    reference?: { from: string; to: string };
    threshold?: number;
    registration?: Registration;
  },
): Promise<PersonaModel> {
  const wh = deps.warehouse;
  await ensureVersionKey(wh);
  if (opts.registration) {
    const mine = await registeredBy(wh, opts.registration);
    if (mine !== undefined) return publish(deps, await modelFromWarehouse(wh, mine), opts.activate);
  }
  const createdAt = new Date().toISOString();
  for (let attempt = 1; ; attempt++) {
    try {
      const model = await wh.transaction(async (tx) => {
        const [{ next }] = await tx.query<{ next: number }>(`select coalesce(max(model_version), 0) + 1 as next from ml.persona_models`);
        const model = personaModelSchema.parse({ ...draft, threshold: opts.threshold ?? draft.threshold, version: Number(next), createdAt });
        await insertModel(tx, model, opts);
        await recordEvent(
          tx,
          model.version,
          'registered',
          `${model.source}${opts.parentVersion ? `, trained against v${opts.parentVersion}` : ''}`,
          opts.registration,
        );
        if (opts.activate) await activateIn(tx, model.version, { workflowId: opts.registration?.workflowId });
        return model;
      });
      return await publish(deps, model, opts.activate);
    } catch (err) {
      if (!lostRace(err) || attempt >= 8) throw err;
      deps.logger.info('persona model version taken by a concurrent registration; retrying with the next', { attempt });
      await new Promise((r) => setTimeout(r, 20 + Math.random() * 100 * attempt));
    }
  }
}

async function insertModel(
  tx: Session,
  model: PersonaModel,
  opts: { parentVersion?: number; metrics?: Record<string, unknown>; reference?: { from: string; to: string }; registration?: Registration },
): Promise<void> {
  await tx.exec(
    `insert into ml.persona_models (model_version, status, source, features, scaling_json, metrics_json, artifact_key, reference_from, reference_to,
       parent_version, created_at, activated_at, retired_at, unassigned_threshold, registered_workflow, registered_run)
     values ($v, 'candidate', $source, $features, $scaling, $metrics, $key, cast($rf as date), cast($rt as date), $parent, cast($now as timestamp), null, null,
       $threshold, $wf, $run)`,
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
      now: model.createdAt.replace('T', ' ').replace('Z', ''),
      threshold: model.threshold ?? null,
      wf: opts.registration?.workflowId ?? null,
      run: opts.registration?.runId ?? null,
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
}

/** After the commit: the artifact (and the active pointer). Rewriting them on a retry is harmless. */
async function publish(deps: ActivityDeps, model: PersonaModel, activate: boolean): Promise<PersonaModel> {
  await deps.store.put(artifactKey(model.version), JSON.stringify(model, null, 2));
  if (activate) {
    const [row] = await deps.warehouse.query<{ status: string }>(`select status from ml.persona_models where model_version = $v`, { v: model.version });
    if (row?.status === 'active') await writeActivePointer(deps.store, model.version);
  }
  return model;
}

async function registeredBy(wh: Warehouse, r: Registration): Promise<number | undefined> {
  const [row] = await wh.query<{ v: number }>(`select model_version as v from ml.persona_models where registered_workflow = $wf and registered_run = $run`, {
    wf: r.workflowId,
    run: r.runId,
  });
  return row ? Number(row.v) : undefined;
}

/** A version's model as the warehouse holds it (what labelling uses), e.g. to rewrite a lost artifact. */
export async function modelFromWarehouse(wh: Warehouse, version: number): Promise<PersonaModel> {
  const [row] = await wh.query<Record<string, unknown>>(
    `select source, features, scaling_json, unassigned_threshold, cast(created_at as varchar) as created_at from ml.persona_models where model_version = $v`,
    { v: version },
  );
  if (!row) throw new RegistryError(`persona model v${version} does not exist`);
  const centroids = await wh.query<Record<string, unknown>>(`select * from ml.persona_centroids where model_version = $v order by persona_id`, { v: version });
  return personaModelSchema.parse({
    version,
    features: String(row.features).split(','),
    personas: centroids.map((c) => ({ name: String(c.persona), centroid: FEATURES.map((f) => Number(c[f])) })),
    scaling: JSON.parse(String(row.scaling_json)),
    source: String(row.source),
    createdAt: `${String(row.created_at).replace(' ', 'T')}Z`,
    ...(row.unassigned_threshold == null ? {} : { threshold: Number(row.unassigned_threshold) }),
  });
}

export interface Activation {
  version: number;
  /** The version it replaced, if any. */
  retired: number | null;
  /** Retrain candidates still awaiting a decision that were trained against another version: now stale. */
  staleCandidates: { version: number; workflowId: string | null; runId: string | null; parentVersion: number | null }[];
}

/**
 * Makes `version` the one active model, retiring the previous one (kept, never deleted). With
 * `requireParent`, a candidate trained against another model than the active one is refused
 * (StaleCandidateError): promoting it would silently replace a newer model. Safe to retry after
 * it committed: an already active version is reported as activated again.
 */
export async function activateModel(deps: ActivityDeps, version: number, opts: { requireParent?: boolean; workflowId?: string } = {}): Promise<Activation> {
  const retired = await deps.warehouse.transaction((tx) => activateIn(tx, version, opts));
  await writeActivePointer(deps.store, version);
  const stale = await deps.warehouse.query<{ v: number; wf: string | null; run: string | null; parent: number | null }>(
    `select model_version as v, registered_workflow as wf, registered_run as run, parent_version as parent from ml.persona_models
     where status = 'candidate' and source like 'retrain:%' and parent_version is distinct from $v order by model_version`,
    { v: version },
  );
  return {
    version,
    retired,
    staleCandidates: stale.map((s) => ({
      version: Number(s.v),
      workflowId: s.wf ?? null,
      runId: s.run ?? null,
      parentVersion: s.parent == null ? null : Number(s.parent),
    })),
  };
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

async function activateIn(tx: Session, version: number, opts: { requireParent?: boolean; workflowId?: string }): Promise<number | null> {
  const [row] = await tx.query<{ status: string; parent: number | null }>(
    `select status, parent_version as parent from ml.persona_models where model_version = $v`,
    {
      v: version,
    },
  );
  if (!row) throw new RegistryError(`persona model v${version} does not exist`);
  const [current] = await tx.query<{ v: number }>(`select model_version as v from ml.persona_models where status = 'active'`);
  const active = current ? Number(current.v) : null;
  if (row.status === 'active') return null;
  if (row.status !== 'candidate') throw new RegistryError(`persona model v${version} is ${row.status}; only a candidate can be activated`);
  if (opts.requireParent && row.parent != null && active !== null && Number(row.parent) !== active)
    throw new StaleCandidateError(staleReason(active, version, Number(row.parent)));
  const now = nowUtc();
  await tx.exec(`update ml.persona_models set status = 'retired', retired_at = cast($now as timestamp) where status = 'active'`, { now });
  await tx.exec(`update ml.persona_models set status = 'active', activated_at = cast($now as timestamp) where model_version = $v`, { v: version, now });
  const [{ n }] = await tx.query<{ n: number }>(`select count(*) as n from ml.persona_models where status = 'active'`);
  if (Number(n) !== 1) throw new RegistryError(`registry would have ${n} active persona models; rolled back`);
  if (active !== null) await recordEvent(tx, active, 'retired', `replaced by v${version}`, opts);
  await recordEvent(tx, version, 'activated', active === null ? 'first active model' : `replaces v${active}`, opts);
  return active;
}

export const staleReason = (active: number, candidate: number, parent: number) =>
  `stale: v${active} became active meanwhile (candidate v${candidate} was trained against v${parent})`;

/** Rejects a candidate with why (idempotent: a model that is no longer a candidate is left alone). Returns whether it changed. */
export async function rejectModel(deps: ActivityDeps, version: number, reason = 'rejected', workflowId?: string): Promise<boolean> {
  return deps.warehouse.transaction(async (tx) => {
    const [row] = await tx.query<{ status: string }>(`select status from ml.persona_models where model_version = $v`, { v: version });
    if (row?.status !== 'candidate') return false;
    await tx.exec(`update ml.persona_models set status = 'rejected' where model_version = $v and status = 'candidate'`, { v: version });
    await recordEvent(tx, version, 'rejected', reason, { workflowId });
    return true;
  });
}

async function recordEvent(tx: Session, version: number, event: string, reason: string, by?: { workflowId?: string }): Promise<void> {
  await tx.exec(`insert into ml.persona_model_events values ($v, $event, $reason, $wf, cast($now as timestamp))`, {
    v: version,
    event,
    reason: reason.slice(0, 2000),
    wf: by?.workflowId ?? null,
    now: nowUtc(),
  });
}

/**
 * Retrain candidates whose workflow run is over (terminated, timed out, failed, cancelled — a run
 * that ended without deciding cannot run code) end `rejected` with an event saying so. `describe`
 * returns a run's status name (e.g. TERMINATED), or undefined when the server no longer knows it.
 */
export async function reconcileCandidates(
  deps: ActivityDeps,
  describe: (workflowId: string, runId: string | undefined) => Promise<string | undefined>,
): Promise<{ version: number; workflowId: string; status: string }[]> {
  const open = await deps.warehouse.query<{ v: number; wf: string | null; run: string | null; source: string }>(
    `select model_version as v, registered_workflow as wf, registered_run as run, source from ml.persona_models
     where status = 'candidate' and source like 'retrain:%' order by model_version`,
  );
  const ended: { version: number; workflowId: string; status: string }[] = [];
  for (const c of open) {
    const workflowId = c.wf ?? c.source.slice('retrain:'.length);
    const status = (await describe(workflowId, c.run ?? undefined)) ?? 'UNKNOWN';
    if (status === 'RUNNING' || status === 'CONTINUED_AS_NEW') continue;
    const why = `${status.toLowerCase().replace(/_/g, ' ')}: ${workflowId} ended without a decision on v${c.v}`;
    if (await rejectModel(deps, Number(c.v), why, workflowId)) ended.push({ version: Number(c.v), workflowId, status });
  }
  return ended;
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
    threshold: r.unassigned_threshold == null ? null : Number(r.unassigned_threshold),
    registeredWorkflow: (r.registered_workflow as string | null) ?? null,
    registeredRun: (r.registered_run as string | null) ?? null,
  };
}

/** The full model (artifact) of a version, default the active one. */
export async function loadModel(deps: ActivityDeps, version?: number): Promise<{ model: PersonaModel; entry: RegistryEntry }> {
  const entry = await registryEntry(deps, version);
  const model = personaModelSchema.parse(JSON.parse((await deps.store.get(entry.artifactKey)).toString('utf8')));
  return { model, entry };
}
