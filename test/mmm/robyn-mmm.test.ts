import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseCsv } from '../../activities/mmm/csv';
import { localRobynCommand } from '../../adapters/launcher';
import type { ActivityDeps } from '../../lib/deps';
import { RobynMmm } from '../../workflows/robyn-mmm';
import { freshDeps } from '../support/fixtures';
import { createTestEnv, type TestEnv } from '../support/temporal';
import { DEMO_VARIABLES, demoSource, makeMmmWorker, putDemoCsv } from './support';

// The REAL Robyn runner (robynpy + R glmnet) through the RobynMmm workflow on Meta's demo data
// (200 iterations × 1 trial, ~30 s). Needs `bash scripts/setup-tools.sh robyn`.
let env: TestEnv;
let deps: ActivityDeps;
let worker: Awaited<ReturnType<typeof makeMmmWorker>>;
const taskQueue = `robyn-mmm-${randomUUID()}`;

beforeAll(async () => {
  const [python] = localRobynCommand();
  if (!fs.existsSync(python)) throw new Error(`${python} missing: run \`bash scripts/setup-tools.sh robyn\` first`);
  env = await createTestEnv();
  deps = await freshDeps();
  await putDemoCsv(deps);
  worker = await makeMmmWorker(env, deps, taskQueue, {});
}, 60_000);
afterAll(async () => {
  await worker?.stop();
  await deps?.warehouse.close();
  await env?.close();
});

type Candidate = { solID: string; nrmse: number; decomp_rssd: number; pareto_front: number | null };

test('real Robyn on the demo CSV: the chosen model is on the Pareto front and lands in mmm.runs / mmm.channel_results', async () => {
  const result = await env.client.workflow.execute(RobynMmm, {
    taskQueue,
    workflowId: `robyn-mmm-test-${randomUUID()}`,
    args: [{ source: demoSource, from: '2016-01-04', to: '2018-12-31', iterations: 200, trials: 1, seed: 123, hyperparameters: { tv_S_thetas: [0.3, 0.8] } }],
  });
  expect(result).toMatchObject({
    country: 'DE',
    from: '2016-01-04',
    to: '2019-01-06',
    weeks: 157,
    source: 'csv:mmm/uploads/dt_simulated_weekly.csv',
    candidateModels: 200,
    robynVersion: 'robynpy 0.3.6',
  });
  expect(result.runUri).toBe(deps.store.uri(`mmm/runs/${result.runId}/`));
  expect(result.summary).toBe(
    `chosen model ${result.chosenModel} (NRMSE ${result.nrmse.toFixed(3)}, DECOMP.RSSD ${result.decompRssd.toFixed(3)}) of 200 on 157 weeks; results in ${result.runUri}`,
  );

  // The run folder: snapshot, config, and the runner's outputs.
  const folder = fileURLToPath(result.runUri);
  expect(JSON.parse(fs.readFileSync(path.join(folder, 'config.json'), 'utf8'))).toMatchObject({
    iterations: 200,
    trials: 1,
    seed: 123,
    paid_media_spends: DEMO_VARIABLES.paidMediaSpends,
  });
  const summary = JSON.parse(fs.readFileSync(path.join(folder, 'output', 'model_summary.json'), 'utf8'));
  for (const plot of result.plotUris) expect(fs.statSync(fileURLToPath(plot)).size).toBeGreaterThan(1000);

  // Chosen on front 1 by robynpy's rank, and independently: no candidate dominates it.
  const candidates: Candidate[] = summary.candidates;
  const chosen = candidates.find((c) => c.solID === result.chosenModel)!;
  expect(chosen.pareto_front).toBe(1);
  const dominates = (a: Candidate, b: Candidate) =>
    a.nrmse <= b.nrmse && a.decomp_rssd <= b.decomp_rssd && (a.nrmse < b.nrmse || a.decomp_rssd < b.decomp_rssd);
  expect(candidates.filter((c) => dominates(c, chosen))).toEqual([]);

  const [run] = await deps.warehouse.query(`select * from mmm.runs where run_id = $id`, { id: result.runId });
  expect(run).toMatchObject({
    status: 'succeeded',
    country: 'DE',
    source: 'csv:mmm/uploads/dt_simulated_weekly.csv',
    weeks: 157,
    iterations: 200,
    trials: 1,
    launcher: 'local',
    job_id: result.jobId,
    run_uri: result.runUri,
    chosen_model: chosen.solID,
    nrmse: chosen.nrmse,
    decomp_rssd: chosen.decomp_rssd,
    candidate_models: 200,
    pareto_models: summary.pareto_models.length,
    message: null,
    // The chosen model's fit on each split, and what the numbers mean.
    rsq_train: summary.chosen.rsq_train,
    rsq_val: summary.chosen.rsq_val,
    rsq_test: summary.chosen.rsq_test,
    nrmse_train: summary.chosen.nrmse_train,
    nrmse_val: chosen.nrmse,
    nrmse_test: summary.chosen.nrmse_test,
    nrmse_selection: 'nrmse_val',
    effect_share_denominator: summary.definitions.effect_share,
  });
  for (const m of ['rsq_train', 'rsq_val', 'rsq_test', 'nrmse_train', 'nrmse_test'] as const) expect(Number.isFinite(run[m])).toBe(true);
  expect(result.fit).toEqual({
    rsq_train: run.rsq_train,
    rsq_val: run.rsq_val,
    rsq_test: run.rsq_test,
    nrmse_train: run.nrmse_train,
    nrmse_val: run.nrmse_val,
    nrmse_test: run.nrmse_test,
  });
  expect(result.nrmseSelection).toBe('nrmse_val');
  // Channel spend equals the snapshot's spend per channel; ROI = effect / spend.
  const snapshot = parseCsv(fs.readFileSync(path.join(folder, 'input.csv'), 'utf8')).rows;
  const channels = await deps.warehouse.query<{ channel: string; spend: number; effect: number; roi: number }>(
    `select channel, spend, effect, roi from mmm.channel_results where run_id = $id order by channel`,
    { id: result.runId },
  );
  expect(channels.map((c) => c.channel)).toEqual([...DEMO_VARIABLES.paidMediaSpends].sort());
  for (const c of channels) {
    expect(c.spend).toBeCloseTo(
      snapshot.reduce((s, r) => s + Number(r[c.channel]), 0),
      0,
    );
    expect(c.roi).toBeCloseTo(c.effect / c.spend, 6);
  }
}, 180_000);
