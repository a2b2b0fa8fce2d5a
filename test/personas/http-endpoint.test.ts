import * as fs from 'node:fs';
import { startPersonaEndpoint, type PersonaEndpoint } from '../../personas/http-server';
import { labelVector } from '../../personas/label-vector';
import { FEATURES, personaModelSchema, type PersonaModel } from '../../personas/model';
import { parseVendorFile } from '../../personas/vendor-file';
import { VENDOR_FIXTURE } from './support/persona-env';

const v1: PersonaModel = personaModelSchema.parse({
  ...parseVendorFile(VENDOR_FIXTURE, fs.readFileSync(VENDOR_FIXTURE, 'utf8')),
  version: 1,
  createdAt: '2026-01-01T00:00:00Z',
});
let current = v1;
let loads = 0;
let endpoint: PersonaEndpoint;

beforeAll(async () => {
  endpoint = await startPersonaEndpoint({ port: 0, refreshMs: 0, loadModel: async () => (loads++, current) });
});
afterAll(async () => endpoint?.close());

const vectorOf = (values: number[]) => Object.fromEntries(FEATURES.map((f, i) => [f, values[i]]));
const post = async (body: string | object) => {
  const res = await fetch(`${endpoint.url}/label`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
};

test('listens on 127.0.0.1 only, on the free port it was given', () => {
  expect(endpoint.url).toBe(`http://127.0.0.1:${endpoint.port}`);
  expect(endpoint.port).toBeGreaterThan(0);
});

test('labels a posted vector with the active model, as the SQL does', async () => {
  const haley = v1.personas[1].centroid.map((v, i) => v + (i % 2 ? 0.3 : -0.2));
  const { status, body } = await post({ vector: vectorOf(haley) });
  expect(status).toBe(200);
  expect(body).toEqual({ modelVersion: 1, threshold: 3.5, labels: [labelVector(v1, haley, 3.5)] });
  expect((body.labels as { persona: string }[])[0].persona).toBe('Eco-Conscious Haley');
});

test('labels a batch, marking a vector that fits no persona as unassigned', async () => {
  const { status, body } = await post({ vectors: [vectorOf(v1.personas[0].centroid), vectorOf(FEATURES.map(() => 40))] });
  expect(status).toBe(200);
  expect((body.labels as { persona: string }[]).map((l) => l.persona)).toEqual(['Sustainable Steve', 'unassigned']);
});

test.each([
  ['a missing feature', { vector: { ...vectorOf(v1.personas[0].centroid), x7: undefined } }, ['vector.x7: is missing']],
  ['a string value', { vector: { ...vectorOf(v1.personas[0].centroid), x3: '4.2' } }, ['vector.x3: must be a number, got "4.2"']],
  [
    'an infinite value',
    '{"vector": {"x1": 1e999, "x2": 1, "x3": 1, "x4": 1, "x5": 1, "x6": 1, "x7": 1, "x8": 1, "x9": 1, "x10": 1}}',
    ['vector.x1: must be a finite number'],
  ],
  ['an unknown feature', { vector: { ...vectorOf(v1.personas[0].centroid), x11: 1 } }, ['vector.unknown key(s) x11']],
  ['an empty batch', { vectors: [] }, ['vectors: Too small: expected array to have >=1 items']],
  ['a bad row in a batch', { vectors: [vectorOf(v1.personas[0].centroid), { x1: 1 }] }, expect.arrayContaining(['vectors.1.x2: is missing'])],
  ['neither vector nor vectors', { features: [1, 2] }, ['expected {"vector": {x1..x10}} or {"vectors": [{x1..x10}, ...]}']],
])('rejects %s with 400 and the reason', async (_what, body, reasons) => {
  const res = await post(body as object);
  expect(res.status).toBe(400);
  expect(res.body).toEqual({ error: 'invalid feature vector', reasons });
});

test('a vector too far out to compare (1e200) answers 400 with the reason, never 500; the server keeps serving', async () => {
  const far = { ...vectorOf(v1.personas[0].centroid), x1: 1e200 };
  const one = await post({ vector: far });
  expect(one).toEqual({
    status: 400,
    body: { error: 'invalid feature vector', reasons: ['vector: values too large to compare with any persona (x1 = 1e+200): the distance overflows'] },
  });
  const batch = await post({ vectors: [vectorOf(v1.personas[0].centroid), far] });
  expect(batch.status).toBe(400);
  expect(batch.body.reasons).toEqual(['vectors.1: values too large to compare with any persona (x1 = 1e+200): the distance overflows']);
  // Large but comparable values are labelled (unassigned), as the SQL labels them.
  const large = await post({ vector: { ...far, x1: 1e150 } });
  expect(large.status).toBe(200);
  expect((large.body.labels as { persona: string }[])[0].persona).toBe('unassigned');
  expect((await post({ vector: vectorOf(v1.personas[0].centroid) })).status).toBe(200);
});

test('a vector whose distances all overflow still gets a nearest persona from labelVector (ties to the first, as the SQL)', () => {
  const label = labelVector(
    v1,
    FEATURES.map(() => 1e200),
    3.5,
  );
  expect(label).toMatchObject({ persona: 'unassigned', nearest: v1.personas[0].name, distance: Infinity, margin: 0 });
});

test('rejects malformed JSON, wrong methods and paths, and oversized bodies', async () => {
  const bad = await post('{"vector": ');
  expect(bad.status).toBe(400);
  expect(String(bad.body.error)).toMatch(/^body is not valid JSON/);
  expect((await fetch(`${endpoint.url}/label`)).status).toBe(405);
  expect((await fetch(`${endpoint.url}/nope`)).status).toBe(404);
  expect((await post('x'.repeat((1 << 20) + 10))).status).toBe(413);
});

test('picks up a newly promoted model without a restart', async () => {
  current = { ...v1, version: 2 };
  const before = loads;
  const res = await fetch(`${endpoint.url}/model`);
  expect(await res.json()).toMatchObject({ version: 2, personas: v1.personas.map((p) => p.name) });
  expect(loads).toBeGreaterThan(before);
});
