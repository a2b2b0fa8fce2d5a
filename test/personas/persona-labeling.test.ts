import { WorkflowFailedError } from '@temporalio/client';
import type { ActivityDeps } from '../../lib/deps';
import { registryEntry } from '../../activities/personas/registry';
import { PersonaLabeling, type PersonaLabelingInput } from '../../workflows/persona-labeling';
import { personaApproval, RetrainPersonas } from '../../workflows/retrain-personas';
import { createTestEnv, type TestEnv } from '../support/temporal';
import { awaitingDecision, makePersonaWorker, openPersonaDeps } from './support/persona-env';

let env: TestEnv;
let deps: ActivityDeps;
let worker: Awaited<ReturnType<typeof makePersonaWorker>>;

beforeAll(async () => {
  env = await createTestEnv();
  deps = await openPersonaDeps({ env: { DAG_APPROVERS: 'alice', DAG_ALLOW_UNSIGNED_DECISIONS: 'true' } });
  worker = await makePersonaWorker(env, deps);
});
afterAll(async () => {
  await worker?.close();
  await deps?.warehouse.close();
  await env?.close();
});

const run = (input: PersonaLabelingInput) =>
  env.client.workflow.execute(PersonaLabeling, {
    taskQueue: worker.taskQueue,
    workflowId: `personas-test-${Math.random().toString(36).slice(2)}`,
    args: [input],
  });
const day = (date: string, seed: number, shift?: { features: ('x1' | 'x4' | 'x8')[]; stdPerDay: number; from: string }) =>
  run({ date, generate: { participants: 2000, seed, shift } });

test('generated days are labelled in the warehouse; the first sets the baseline, a similar day does not retrain', async () => {
  const first = await day('2026-11-01', 1);
  expect(first).toMatchObject({ date: '2026-11-01', modelVersion: 1, participants: 2000, drift: { baseline: true, isDrift: false } });
  expect(first.retrain).toBeUndefined();
  const second = await day('2026-11-02', 2);
  expect(second.drift).toMatchObject({ baseline: false, isDrift: false, reasons: [], driftedFeatures: [] });
  expect(second.retrain).toBeUndefined();
  expect(second.summary).toMatch(/^2,000 participants labelled with v1 \(\d+ unassigned\); no drift$/);
  const [labels] = await deps.warehouse.query(`select count(*) as n, min(model_version) as v from ml.persona_labels where partition_date = date '2026-11-02'`);
  expect(labels).toEqual({ n: 2000, v: 1 });
});

test('a planted shift starts RetrainPersonas; drift the next day attaches to that pending review; it promotes a new model once approved', async () => {
  const shift = { features: ['x1', 'x4', 'x8'] as ('x1' | 'x4' | 'x8')[], stdPerDay: 1.5, from: '2026-11-03' };
  const shifted = await day('2026-11-03', 3, shift);
  expect(shifted.drift.isDrift).toBe(true);
  expect(shifted.drift.driftedFeatures).toEqual(['x1', 'x4', 'x8']);
  expect(shifted.retrain).toEqual({ workflowId: 'retrain-personas-v1', alreadyRunning: false });
  const child = env.client.workflow.getHandle<typeof RetrainPersonas>(shifted.retrain!.workflowId);
  await awaitingDecision(() => child.query(personaApproval.query));
  // Persistent drift: the next day opens no second review, it is attached to the pending one.
  const again = await day('2026-11-04', 4, shift);
  expect(again.drift.isDrift).toBe(true);
  expect(again.retrain).toEqual({ workflowId: 'retrain-personas-v1', alreadyRunning: true });
  const retrains = await env.client.workflow.count(`WorkflowType = 'RetrainPersonas' AND ExecutionStatus = 'Running' AND TaskQueue = '${worker.taskQueue}'`);
  expect(retrains.count).toBe(1);
  let state = await child.query(personaApproval.query);
  for (let i = 0; i < 50 && !state.subject?.laterDrift?.length; i++)
    state = await new Promise((r) => setTimeout(r, 100)).then(() => child.query(personaApproval.query));
  expect(state.subject?.laterDrift).toEqual([{ date: '2026-11-04', reasons: again.drift.reasons }]);
  expect(state).toMatchObject({ requester: 'system:drift', subject: { window: { from: '2026-10-28', to: '2026-11-03' } } });
  await child.executeUpdate(personaApproval.update, { args: [{ decision: 'accept', approver: 'alice', version: state.version! }] });
  const result = await child.result();
  expect(result.outcome).toBe('promoted');
  expect((await registryEntry(deps)).version).toBe(result.candidateVersion);
  expect((await registryEntry(deps)).referenceTo).toBe('2026-11-03');
});

test.each([
  [{ generate: { participants: 0 } }, 'PersonaLabeling input: generate.participants: Too small: expected number to be >=1'],
  [{ date: '2026-02-30' }, 'PersonaLabeling input: date: is not a real calendar date'],
  [{ drift: { psi: -1 } }, 'PersonaLabeling input: drift.psi: Too small: expected number to be >0'],
  [
    { generate: { shift: { features: ['x11'], stdPerDay: 1, from: '2026-11-01' } } },
    'PersonaLabeling input: generate.shift.features.0: Invalid option: expected one of "x1"|"x2"|"x3"|"x4"|"x5"|"x6"|"x7"|"x8"|"x9"|"x10"',
  ],
])('bad input %j fails with one clear message', async (input, message) => {
  const err = await run(input as PersonaLabelingInput).catch((e) => e);
  expect(err).toBeInstanceOf(WorkflowFailedError);
  expect((err as WorkflowFailedError).cause?.message).toBe(message);
});
