import type { ActivityDeps } from '../../lib/deps';
import { activateModel, loadActiveFromStore, registerModel, registryEntry, RegistryError, rejectModel } from '../../activities/personas/registry';
import { labelParticipants } from '../../activities/personas/label';
import { labelVector } from '../../personas/label-vector';
import { FEATURES, type ModelDraft } from '../../personas/model';
import { openPersonaDeps } from './support/persona-env';

let deps: ActivityDeps;
beforeAll(async () => {
  deps = await openPersonaDeps();
});
afterAll(async () => deps?.warehouse.close());

const zeros = () => FEATURES.map(() => 0);
const withValues = (values: Record<string, number>) => FEATURES.map((f) => values[f] ?? 0);
// Three personas; x1 is measured on a scale twice as wide, so its differences count half.
const HAND_MADE: ModelDraft = {
  features: [...FEATURES],
  personas: [
    { name: 'Alpha', centroid: zeros() },
    { name: 'Beta', centroid: withValues({ x1: 4 }) },
    { name: 'Gamma', centroid: withValues({ x2: 3 }) },
  ],
  scaling: { mean: zeros(), std: withValues({ x1: 2, x2: 1, x3: 1, x4: 1, x5: 1, x6: 1, x7: 1, x8: 1, x9: 1, x10: 1 }) },
  source: 'test:hand-made',
};
const PARTICIPANTS: Record<string, Record<string, number>> = {
  at_alpha: {},
  toward_beta: { x1: 3 },
  just_beta: { x1: 2.2 },
  toward_gamma: { x2: 2 },
  far_away: { x3: 5 },
};

async function insertParticipants(date: string) {
  for (const [id, values] of Object.entries(PARTICIPANTS)) {
    const v = withValues(values);
    await deps.warehouse.exec(
      `insert into ml.survey_participants values ($id, cast($d as date), ${FEATURES.map((f) => `$${f}`).join(', ')}, 'test', current_timestamp)`,
      { id, d: date, ...Object.fromEntries(FEATURES.map((f, i) => [f, v[i]])) },
    );
  }
}

test('SQL labels a hand-made example exactly: nearest persona, standardised distance, margin, unassigned', async () => {
  const model = await registerModel(deps, HAND_MADE, { activate: false });
  await insertParticipants('2026-10-01');
  const result = await labelParticipants(deps, { date: '2026-10-01', modelVersion: model.version, threshold: 3.5 });
  expect(result).toMatchObject({ rows: 5, unassigned: 1, modelVersion: model.version, perPersona: { Alpha: 1, Beta: 2, Gamma: 1, unassigned: 1 } });
  const rows = await deps.warehouse.query<{
    participant_id: string;
    persona: string;
    nearest_persona: string;
    distance: number;
    margin: number;
    is_unassigned: boolean;
    model_version: number;
  }>(
    `select participant_id, persona, nearest_persona, round(distance, 6) as distance, round(margin, 6) as margin, is_unassigned, model_version from ml.persona_labels where partition_date = date '2026-10-01' order by participant_id`,
  );
  expect(rows).toEqual([
    { participant_id: 'at_alpha', persona: 'Alpha', nearest_persona: 'Alpha', distance: 0, margin: 2, is_unassigned: false, model_version: model.version },
    {
      participant_id: 'far_away',
      persona: 'unassigned',
      nearest_persona: 'Alpha',
      distance: 5,
      margin: 0.385165,
      is_unassigned: true,
      model_version: model.version,
    },
    { participant_id: 'just_beta', persona: 'Beta', nearest_persona: 'Beta', distance: 0.9, margin: 0.2, is_unassigned: false, model_version: model.version },
    { participant_id: 'toward_beta', persona: 'Beta', nearest_persona: 'Beta', distance: 0.5, margin: 1, is_unassigned: false, model_version: model.version },
    { participant_id: 'toward_gamma', persona: 'Gamma', nearest_persona: 'Gamma', distance: 1, margin: 1, is_unassigned: false, model_version: model.version },
  ]);
  // The HTTP endpoint's TypeScript labelling agrees with the SQL on every row.
  for (const r of rows) {
    const ts = labelVector(model, withValues(PARTICIPANTS[r.participant_id]), 3.5);
    expect([ts.persona, ts.distance.toFixed(6), ts.margin.toFixed(6)]).toEqual([r.persona, r.distance.toFixed(6), r.margin.toFixed(6)]);
  }
});

test('labelling a partition again replaces its labels, also when another version relabels it', async () => {
  const count = async () =>
    (
      await deps.warehouse.query<{ n: number; versions: number }>(
        `select count(*) as n, count(distinct model_version) as versions from ml.persona_labels where partition_date = date '2026-10-01'`,
      )
    )[0];
  const handMade = (await deps.warehouse.query<{ v: number }>(`select max(model_version) as v from ml.persona_models where source = 'test:hand-made'`))[0].v;
  await labelParticipants(deps, { date: '2026-10-01', modelVersion: handMade });
  expect(await count()).toEqual({ n: 5, versions: 1 });
  const byVendor = await labelParticipants(deps, { date: '2026-10-01' });
  expect(byVendor.modelVersion).toBe(1);
  expect(await count()).toEqual({ n: 5, versions: 1 });
});

test('the registry keeps exactly one active version through activation, refusal and rejection', async () => {
  const active = async () =>
    (await deps.warehouse.query<{ v: number }>(`select model_version as v from ml.persona_models where status = 'active'`)).map((r) => r.v);
  expect(await active()).toEqual([1]);
  const candidate = await registerModel(deps, { ...HAND_MADE, source: 'test:candidate' }, { activate: false });
  expect((await registryEntry(deps, candidate.version)).status).toBe('candidate');
  expect(await active()).toEqual([1]);

  await activateModel(deps, candidate.version);
  expect(await active()).toEqual([candidate.version]);
  expect((await registryEntry(deps, 1)).status).toBe('retired');
  expect((await loadActiveFromStore(deps.store)).version).toBe(candidate.version);

  await expect(activateModel(deps, 1)).rejects.toThrow(new RegistryError('persona model v1 is retired; only a candidate can be activated'));
  await expect(activateModel(deps, 999)).rejects.toThrow(new RegistryError('persona model v999 does not exist'));
  expect(await active()).toEqual([candidate.version]);

  const other = await registerModel(deps, { ...HAND_MADE, source: 'test:other' }, { activate: false });
  await rejectModel(deps, other.version);
  await expect(activateModel(deps, other.version)).rejects.toThrow(RegistryError);
  expect(await active()).toEqual([candidate.version]);
});

test('a model that fails validation writes nothing (the version is not consumed)', async () => {
  const before = await deps.warehouse.query(`select count(*) as n, max(model_version) as v from ml.persona_models`);
  const broken = { ...HAND_MADE, personas: [HAND_MADE.personas[0], { name: 'Short', centroid: [1, 2] }] };
  await expect(registerModel(deps, broken, { activate: true })).rejects.toThrow(/needs 10 values/);
  expect(await deps.warehouse.query(`select count(*) as n, max(model_version) as v from ml.persona_models`)).toEqual(before);
});
