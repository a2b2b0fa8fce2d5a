import * as fs from 'node:fs';
import { STATE_FILE } from '../support/global-setup';
import { createTestEnv, type TestEnv } from '../support/temporal';
import { describeFailure, runPlan, type HistoryPlan } from './harness';

/**
 * The product's central promise, checked on random histories: after any sequence of deliveries,
 * corrections, restores, renames, deletions, bad files, re-runs, backfills and worker kills,
 * the warehouse equals a from-scratch rebuild of the current landing state (or the date is
 * blocked naming the object it could not read). See test/history/ and README "History tests".
 * Seeded: a failure names the seed that replays it (`npm run soak -- --seed S --histories 1`).
 */
const plan: HistoryPlan = {
  seed: Number(process.env.DAG_HISTORY_SEED ?? 20261113),
  // 10 in `npm test` (about a quarter of the suite's CPU time on 2 cores); `npm run soak` runs hundreds.
  histories: Number(process.env.DAG_HISTORY_COUNT ?? 10),
  minSteps: 15,
  maxSteps: 20,
  days: 2,
  concurrency: 3,
  firstDate: '2027-01-01',
  kill: 3,
  killRetry: false,
  killEvery: 5,
};

let env: TestEnv;
beforeAll(async () => {
  env = await createTestEnv();
});
afterAll(async () => env?.close());

test(`${plan.histories} random histories of ${plan.minSteps}+ steps: the warehouse always equals a from-scratch rebuild`, async () => {
  const { bundlePath, address } = JSON.parse(fs.readFileSync(STATE_FILE, 'utf8')) as { bundlePath: string; address: string };
  const started = Date.now();
  const { failures, runs } = await runPlan([{ connection: env.connection, client: env.client, address, bundlePath }], {
    ...plan,
    log: (l) => process.stderr.write(`${l}\n`),
  });
  process.stderr.write(`${plan.histories} histories, ${runs} pipeline runs in ${((Date.now() - started) / 1000).toFixed(0)} s\n`);
  if (failures.length) throw new Error(`${failures.length} of ${plan.histories} histories failed; the first:\n${describeFailure(failures[0], plan)}`);
}, 1_800_000);
