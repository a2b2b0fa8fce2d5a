import { WorkflowUpdateFailedError } from '@temporalio/client';
import type { ActivityDeps } from '../../lib/deps';
import { activateModel, modelFromWarehouse, registerModel, registryEntry, StaleCandidateError } from '../../activities/personas/registry';
import { artifactKey, FEATURES, personaModelSchema, type ModelDraft } from '../../personas/model';
import { personaApproval, RetrainPersonas, type RetrainInput } from '../../workflows/retrain-personas';
import { createTestEnv, type TestEnv } from '../support/temporal';
import { awaitingDecision, landDay, makePersonaWorker, openPersonaDeps } from './support/persona-env';

// Concurrent retrains, as a backfill over drifted dates starts them: every candidate gets its own
// version, each review stays valid on its own, and a candidate trained against a model that is
// no longer active can never replace the newer one.
let env: TestEnv;
let deps: ActivityDeps;
let worker: Awaited<ReturnType<typeof makePersonaWorker>>;

beforeAll(async () => {
  env = await createTestEnv();
  deps = await openPersonaDeps({ env: { DAG_APPROVERS: 'alice,bob', DAG_ALLOW_UNSIGNED_DECISIONS: 'true' } });
  await landDay(deps, { date: '2026-11-01', participants: 1500, seed: 1 });
  await landDay(deps, { date: '2026-11-02', participants: 1500, seed: 2 });
  worker = await makePersonaWorker(env, deps);
});
afterAll(async () => {
  await worker?.close();
  await deps?.warehouse.close();
  await env?.close();
});

const WINDOW = { from: '2026-11-01', to: '2026-11-02' };
const start = (id: string, input: Partial<RetrainInput> = {}) =>
  env.client.workflow.start(RetrainPersonas, {
    taskQueue: worker.taskQueue,
    workflowId: `${id}-${Math.random().toString(36).slice(2)}`,
    args: [{ window: WINDOW, sampleSize: 3000, requestedBy: 'carol', ...input }],
  });
const events = (version: number) =>
  deps.warehouse.query<{ event: string; reason: string }>(
    `select event, reason from ml.persona_model_events where model_version = $v order by happened_at, event`,
    {
      v: version,
    },
  );
const shifted = (name: string, by: number, source = `test:${name}`): ModelDraft => ({
  features: [...FEATURES],
  personas: [
    { name: `${name} A`, centroid: FEATURES.map(() => by) },
    { name: `${name} B`, centroid: FEATURES.map(() => by + 3) },
  ],
  scaling: { mean: FEATURES.map(() => 0), std: FEATURES.map(() => 1) },
  source,
});

test('registrations at the same time get distinct versions, and each version artifact is its own model', async () => {
  const drafts = ['p', 'q', 'r', 's', 't', 'u'].map((n, i) => shifted(n, i));
  const models = await Promise.all(drafts.map((d) => registerModel(deps, d, { activate: false })));
  const versions = models.map((m) => m.version);
  expect(new Set(versions).size).toBe(drafts.length);
  for (const [i, m] of models.entries()) {
    const rows = await deps.warehouse.query(`select count(*) as n from ml.persona_models where model_version = $v`, { v: m.version });
    expect(rows).toEqual([{ n: 1 }]);
    const artifact = personaModelSchema.parse(JSON.parse((await deps.store.get(artifactKey(m.version))).toString('utf8')));
    expect(artifact.personas.map((p) => p.name)).toEqual(drafts[i].personas.map((p) => p.name));
    // What labelling reads from the warehouse is the same model as the artifact.
    expect((await modelFromWarehouse(deps.warehouse, m.version)).personas).toEqual(artifact.personas);
  }
});

test('the promoting transaction refuses a candidate trained against a model that is no longer active', async () => {
  const active = (await registryEntry(deps)).version;
  const c1 = await registerModel(deps, shifted('c1', 1, 'retrain:test-c1'), { activate: false, parentVersion: active });
  const c2 = await registerModel(deps, shifted('c2', 2, 'retrain:test-c2'), { activate: false, parentVersion: active });
  try {
    const promoted = await activateModel(deps, c1.version, { requireParent: true });
    expect(promoted).toMatchObject({ version: c1.version, retired: active });
    expect(promoted.staleCandidates.map((c) => c.version)).toContain(c2.version);
    const err = await activateModel(deps, c2.version, { requireParent: true }).catch((e) => e);
    expect(err).toBeInstanceOf(StaleCandidateError);
    expect(err.message).toBe(`stale: v${c1.version} became active meanwhile (candidate v${c2.version} was trained against v${active})`);
    expect((await registryEntry(deps)).version).toBe(c1.version);
    expect((await events(c1.version)).sort((x, y) => x.event.localeCompare(y.event))).toEqual([
      { event: 'activated', reason: `replaces v${active}` },
      { event: 'registered', reason: `retrain:test-c1, trained against v${active}` },
    ]);
  } finally {
    // Back to the vendor model as the base of the workflow tests below.
    await deps.warehouse.exec(`update ml.persona_models set status = 'rejected' where model_version in ($a, $b)`, { a: c1.version, b: c2.version });
    await deps.warehouse.exec(`update ml.persona_models set status = 'active' where model_version = $v`, { v: active });
  }
});

test('two concurrent retrains: two versions, both reviewable; accepting one works; the other is then stale and refused', async () => {
  const base = (await registryEntry(deps)).version;
  const [a, b] = await Promise.all([start('retrain-a'), start('retrain-b')]);
  const [sa, sb] = await Promise.all([awaitingDecision(() => a.query(personaApproval.query)), awaitingDecision(() => b.query(personaApproval.query))]);
  expect(sa.version).not.toBe(sb.version);
  expect(sa.subject).toMatchObject({ candidateVersion: sa.version, activeVersion: base });
  expect(sb.subject).toMatchObject({ candidateVersion: sb.version, activeVersion: base });
  for (const v of [sa.version!, sb.version!])
    expect(await deps.warehouse.query(`select count(*) as n from ml.persona_centroids where model_version = $v`, { v })).toEqual([{ n: 8 }]);

  // Accept the later one (either works: each is a candidate of its own against the active model).
  const [first, second, firstState, secondState] = sa.version! > sb.version! ? [a, b, sa, sb] : [b, a, sb, sa];
  expect(await first.executeUpdate(personaApproval.update, { args: [{ decision: 'accept', approver: 'alice', version: firstState.version! }] })).toMatchObject({
    outcome: 'applied',
  });
  expect(await first.result()).toMatchObject({ outcome: 'promoted', candidateVersion: firstState.version, baseVersion: base });
  expect((await registryEntry(deps)).version).toBe(firstState.version);

  // The other review now says why it can no longer be accepted, and an accept is refused with that reason.
  const stale = `stale: v${firstState.version} became active meanwhile (candidate v${secondState.version} was trained against v${base})`;
  let view = await second.query(personaApproval.query);
  for (let i = 0; i < 100 && !view.subject?.stale; i++) view = await new Promise((r) => setTimeout(r, 100)).then(() => second.query(personaApproval.query));
  expect(view.subject?.stale).toBe(stale);
  // The update validator refuses it before it enters history, with the reason, where the decision is made.
  const refused = await second
    .executeUpdate(personaApproval.update, { args: [{ decision: 'accept', approver: 'bob', version: secondState.version! }] })
    .catch((e) => e);
  expect(refused).toBeInstanceOf(WorkflowUpdateFailedError);
  expect(refused.cause?.message).toBe(`refused: ${stale}`);
  expect((await registryEntry(deps)).version).toBe(firstState.version);
  await second.executeUpdate(personaApproval.update, { args: [{ decision: 'reject', approver: 'bob', reason: 'superseded', version: secondState.version! }] });
  expect(await second.result()).toMatchObject({ outcome: 'rejected' });
  expect((await registryEntry(deps, secondState.version!)).status).toBe('rejected');
  expect((await events(secondState.version!)).at(-1)).toEqual({ event: 'rejected', reason: 'reject by bob: superseded' });
  expect((await registryEntry(deps)).version).toBe(firstState.version);
});

test('a terminated retrain leaves no candidate behind: the next retrain rejects it with an event saying how its run ended', async () => {
  const h = await start('retrain-terminated');
  const { version } = await awaitingDecision(() => h.query(personaApproval.query));
  await h.terminate('operator gave up');
  expect((await registryEntry(deps, version!)).status).toBe('candidate');
  const next = await start('retrain-next');
  await awaitingDecision(() => next.query(personaApproval.query));
  expect((await registryEntry(deps, version!)).status).toBe('rejected');
  expect((await events(version!)).at(-1)).toEqual({ event: 'rejected', reason: `terminated: ${h.workflowId} ended without a decision on v${version}` });
  await next.terminate('test over');
});
