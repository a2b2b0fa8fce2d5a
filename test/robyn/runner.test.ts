import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { JobHandle, JobSpec, JobStatus } from '../../adapters/launcher/launcher';
import { LocalProcessLauncher } from '../../adapters/launcher/local/local-process-launcher';
import { localRobynCommand } from '../../adapters/launcher/local/robyn-runner-command';

// The REAL Robyn runner (robynpy + R glmnet) launched through the local launcher on Meta's demo
// data, at a small budget (200 iterations x 1 trial, ~25 s). Needs `bash scripts/setup-tools.sh robyn`.
const DEMO_CSV = path.resolve(__dirname, '../../../shared/data/robyn/dt_simulated_weekly.csv');
const SPENDS = ['tv_S', 'ooh_S', 'print_S', 'facebook_S', 'search_S'];
const CONFIG = {
  date_var: 'DATE',
  dep_var: 'revenue',
  dep_var_type: 'revenue',
  paid_media_spends: SPENDS,
  paid_media_vars: ['tv_S', 'ooh_S', 'print_S', 'facebook_I', 'search_clicks_P'],
  context_vars: ['competitor_sales_B', 'events'],
  organic_vars: ['newsletter'],
  factor_vars: ['events'],
  window_start: '2016-01-04',
  window_end: '2018-12-31',
  adstock: 'geometric',
  hyperparameters: { tv_S_thetas: [0.3, 0.8] },
  iterations: 200,
  trials: 1,
  seed: 123,
};

let root: string;
beforeAll(() => {
  const [python] = localRobynCommand();
  if (!fs.existsSync(python)) throw new Error(`${python} missing: run \`bash scripts/setup-tools.sh robyn\` first`);
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'robyn-runner-'));
});
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

function jobFor(jobId: string, config: object): { spec: JobSpec; out: string } {
  const dir = path.join(root, jobId);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify(config));
  const out = path.join(dir, 'out');
  const env = {
    DAG_CONFIG_URI: pathToFileURL(path.join(dir, 'config.json')).href,
    DAG_INPUT_URI: pathToFileURL(DEMO_CSV).href,
    DAG_OUTPUT_URI: pathToFileURL(out).href,
  };
  return { spec: { jobId, image: 'marketing-dag/robyn-runner:latest', command: localRobynCommand(), env, timeoutSeconds: 600 }, out };
}

async function follow(launcher: LocalProcessLauncher, handle: JobHandle, seen: JobStatus[] = []): Promise<JobStatus> {
  for (;;) {
    const status = await launcher.status(handle);
    seen.push(status);
    if (status.state !== 'running') return status;
    await new Promise((r) => setTimeout(r, 500));
  }
}

/** Spend per channel summed over the modelling window, straight from the CSV. */
function windowSpend(): Record<string, number> {
  const [header, ...rows] = fs
    .readFileSync(DEMO_CSV, 'utf8')
    .trim()
    .split('\n')
    .map((l) => l.split(',').map((c) => c.replace(/"/g, '')));
  const sums: Record<string, number> = Object.fromEntries(SPENDS.map((s) => [s, 0]));
  for (const row of rows) {
    if (row[0] < CONFIG.window_start || row[0] > CONFIG.window_end) continue;
    for (const s of SPENDS) sums[s] += Number(row[header.indexOf(s)]);
  }
  return sums;
}

test('real Robyn on the demo data: summary, chosen model on the Pareto front, channels, plots', async () => {
  const launcher = new LocalProcessLauncher(path.join(root, 'jobs'));
  const { spec, out } = jobFor('robyn-demo', CONFIG);
  const seen: JobStatus[] = [];
  const final = await follow(launcher, await launcher.launch(spec), seen);
  expect(final).toMatchObject({ state: 'succeeded', exitCode: 0 });
  expect(seen.some((s) => s.state === 'running' && (s.progress ?? 0) > 0.1 && (s.progress ?? 0) < 1)).toBe(true);

  const summary = JSON.parse(fs.readFileSync(path.join(out, 'model_summary.json'), 'utf8'));
  expect(summary).toMatchObject({ status: 'succeeded', robyn: { package: 'robynpy', version: '0.3.6' }, iterations: 200, trials: 1, seed: 123 });
  expect(summary.candidates).toHaveLength(200);
  type Candidate = { solID: string; nrmse: number; decomp_rssd: number; pareto_front: number | null };
  const candidates: Candidate[] = summary.candidates;
  for (const c of candidates) expect(Number.isFinite(c.nrmse) && Number.isFinite(c.decomp_rssd)).toBe(true);

  // On the front by robynpy's rank, and independently: no candidate dominates it.
  const chosen = candidates.find((c) => c.solID === summary.chosen.solID)!;
  expect(chosen.pareto_front).toBe(1);
  expect(summary.pareto_models).toContain(chosen.solID);
  const dominates = (a: Candidate, b: Candidate) =>
    a.nrmse <= b.nrmse && a.decomp_rssd <= b.decomp_rssd && (a.nrmse < b.nrmse || a.decomp_rssd < b.decomp_rssd);
  expect(candidates.filter((c) => dominates(c, chosen))).toEqual([]);
  expect(summary.chosen).toMatchObject({ nrmse: chosen.nrmse, decomp_rssd: chosen.decomp_rssd, selection_rule: expect.stringContaining('front 1') });

  // Channel spend is the CSV's spend over the window; ROI and shares are consistent.
  const spend = windowSpend();
  expect(summary.channels.map((c: { channel: string }) => c.channel)).toEqual(SPENDS);
  for (const ch of summary.channels) {
    expect(ch.spend).toBeCloseTo(spend[ch.channel], 0);
    expect(ch.roi).toBeCloseTo(ch.effect / ch.spend, 6);
  }
  const total = (k: string) => summary.channels.reduce((a: number, c: Record<string, number>) => a + c[k], 0);
  expect(total('spend_share')).toBeCloseTo(1, 6);
  expect(total('effect_share')).toBeCloseTo(1, 6);

  expect(summary.plots.length).toBeGreaterThan(0);
  for (const plot of summary.plots) expect(fs.statSync(path.join(out, plot)).size).toBeGreaterThan(1000);
  const csv = fs.readFileSync(path.join(out, 'pareto_aggregated.csv'), 'utf8').split('\n');
  expect(csv[0].split(',').slice(0, 3)).toEqual(['solID', 'rn', 'coef']);
  expect(csv.filter((l) => l.startsWith(`${chosen.solID},tv_S,`))).toHaveLength(1);
  const progress = fs
    .readFileSync(path.join(out, 'progress.ndjson'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  expect(progress.at(-1)).toMatchObject({ progress: 1 });
}, 180_000);

test('a config naming a column the data lacks fails fast: exit 2 and a clear message', async () => {
  const launcher = new LocalProcessLauncher(path.join(root, 'jobs'));
  const { spec, out } = jobFor('robyn-bad', { ...CONFIG, paid_media_spends: [...SPENDS, 'radio_S'], paid_media_vars: undefined, itertions: 5 });
  const status = await follow(launcher, await launcher.launch(spec));
  expect(status).toMatchObject({ state: 'failed', exitCode: 2 });
  expect(status.message).toContain("robyn-runner: bad config or input: unknown key 'itertions'");
  expect(fs.existsSync(path.join(out, 'model_summary.json'))).toBe(false);

  const missing = jobFor('robyn-missing-col', { ...CONFIG, paid_media_spends: [...SPENDS, 'radio_S'], paid_media_vars: undefined });
  const second = await follow(launcher, await launcher.launch(missing.spec));
  expect(second).toMatchObject({ state: 'failed', exitCode: 2 });
  expect(second.message).toContain('input is missing columns: radio_S');
});

test('the same seed gives the same models (Robyn runs are reproducible)', async () => {
  const launcher = new LocalProcessLauncher(path.join(root, 'jobs'));
  const runs = [];
  for (const jobId of ['robyn-seed-a', 'robyn-seed-b']) {
    const { spec, out } = jobFor(jobId, { ...CONFIG, iterations: 30 });
    expect(await follow(launcher, await launcher.launch(spec))).toMatchObject({ state: 'succeeded' });
    runs.push(JSON.parse(fs.readFileSync(path.join(out, 'model_summary.json'), 'utf8')));
  }
  expect(runs[0].candidates).toHaveLength(30);
  expect(runs[1].candidates).toEqual(runs[0].candidates);
  expect(runs[1].chosen).toEqual(runs[0].chosen);
}, 120_000);

test('trials are independent: Pareto front 1 holds models of several trials; every model carries R² and NRMSE per split', async () => {
  const launcher = new LocalProcessLauncher(path.join(root, 'jobs'));
  const run = async (jobId: string, config: object) => {
    const { spec, out } = jobFor(jobId, config);
    expect(await follow(launcher, await launcher.launch(spec))).toMatchObject({ state: 'succeeded' });
    return { summary: JSON.parse(fs.readFileSync(path.join(out, 'model_summary.json'), 'utf8')), out };
  };
  // Trial t runs with seed + t (robynpy's rule): trial 2 of seed 123 must be what a lone trial 1 of seed 124 is.
  const [{ summary, out }, alone] = [
    await run('robyn-trials', { ...CONFIG, iterations: 60, trials: 3 }),
    await run('robyn-one-trial', { ...CONFIG, iterations: 60, trials: 1, seed: 124 }),
  ];
  type Fit = Record<'solID' | 'selection_nrmse', string> & Record<string, number | null>;
  const candidates: Fit[] = summary.candidates;
  expect(candidates).toHaveLength(180);
  // robynpy names models <trial>_<iteration>_1; one shared optimizer put every front-1 model in the last trial.
  const trialOf = (c: Fit) => Number(c.solID.split('_')[0]);
  const front1Trials = new Set(candidates.filter((c) => c.pareto_front === 1).map(trialOf));
  expect(front1Trials.size).toBeGreaterThanOrEqual(2);
  expect(new Set(candidates.map(trialOf))).toEqual(new Set([1, 2, 3]));
  const errors = (cs: Fit[]) => cs.map((c) => [c.nrmse, c.decomp_rssd]);
  expect(errors(candidates.filter((c) => c.solID.startsWith('2_')))).toEqual(errors(alone.summary.candidates));

  const SPLITS = ['rsq_train', 'rsq_val', 'rsq_test', 'nrmse_train', 'nrmse_val', 'nrmse_test'];
  for (const c of [...candidates, summary.chosen]) {
    for (const m of SPLITS) expect(Number.isFinite(c[m])).toBe(true);
    expect(c.rsq_train!).toBeLessThanOrEqual(1);
    expect(c.nrmse).toBe(c.nrmse_val); // the NRMSE the search and the fronts used is the validation split's
  }
  expect(summary.selection_nrmse).toBe('nrmse_val');
  expect(summary.chosen).toMatchObject({ selection_nrmse: 'nrmse_val', trial: trialOf(summary.chosen) });
  expect(summary.definitions.effect_share).toMatch(/^channel effect \/ total effect of the paid-media channels/);

  // effect_share is over paid media (sums to 1); response_share is over the whole decomposed response, as robynpy's column.
  const total = (k: string) => summary.channels.reduce((a: number, c: Record<string, number>) => a + c[k], 0);
  expect(total('effect_share')).toBeCloseTo(1, 6);
  expect(total('response_share')).toBeGreaterThan(0);
  expect(total('response_share')).toBeLessThan(1);
  const csv = fs.readFileSync(path.join(out, 'pareto_aggregated.csv'), 'utf8').trim().split('\n');
  const header = csv[0].split(',');
  const tv = csv.find((l) => l.startsWith(`${summary.chosen.solID},tv_S,`))!.split(',');
  const tvSummary = summary.channels.find((c: { channel: string }) => c.channel === 'tv_S');
  expect(tvSummary.response_share).toBeCloseTo(Number(tv[header.indexOf('xDecompPerc')]), 6);
}, 180_000);
