/**
 * Robyn runner benchmark: wall time and peak RSS of the real runner (robynpy + R glmnet) on
 * Meta's demo data, launched the production way (LocalProcessLauncher), measured by GNU time.
 *
 *   npx tsx bench/robyn.ts            # the test's settings: 200 iterations x 1 trial
 *   npx tsx bench/robyn.ts --full     # also Robyn's tutorial settings: 2000 iterations x 5 trials
 *
 * Prints a markdown table. Needs `bash scripts/setup-tools.sh robyn` and /usr/bin/time.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { LocalProcessLauncher } from '../adapters/launcher/local/local-process-launcher';
import { localRobynCommand } from '../adapters/launcher/local/robyn-runner-command';

const DEMO_CSV = path.resolve(__dirname, '../../shared/data/robyn/dt_simulated_weekly.csv');
const GNU_TIME = '/usr/bin/time';
const BASE_CONFIG = {
  date_var: 'DATE',
  dep_var: 'revenue',
  dep_var_type: 'revenue',
  paid_media_spends: ['tv_S', 'ooh_S', 'print_S', 'facebook_S', 'search_S'],
  paid_media_vars: ['tv_S', 'ooh_S', 'print_S', 'facebook_I', 'search_clicks_P'],
  context_vars: ['competitor_sales_B', 'events'],
  organic_vars: ['newsletter'],
  factor_vars: ['events'],
  window_start: '2016-01-04',
  window_end: '2018-12-31',
  adstock: 'geometric',
  hyperparameters: { tv_S_thetas: [0.3, 0.8] },
  seed: 123,
};

interface Row {
  label: string;
  iterations: number;
  trials: number;
  wallSeconds: number;
  peakRssMiB: number;
  models: number;
  front1: number;
  nrmse: number;
  rssd: number;
}

async function runOnce(root: string, label: string, iterations: number, trials: number): Promise<Row> {
  const dir = path.join(root, label);
  fs.mkdirSync(dir, { recursive: true });
  const configFile = path.join(dir, 'config.json');
  fs.writeFileSync(configFile, JSON.stringify({ ...BASE_CONFIG, iterations, trials }));
  const out = path.join(dir, 'out');
  const timeFile = path.join(dir, 'time.txt');
  const launcher = new LocalProcessLauncher(path.join(root, 'jobs'));
  const started = Date.now();
  const handle = await launcher.launch({
    jobId: `bench-${label}`,
    image: 'local',
    command: [GNU_TIME, '-v', '-o', timeFile, ...localRobynCommand()],
    env: { DAG_CONFIG_URI: pathToFileURL(configFile).href, DAG_INPUT_URI: pathToFileURL(DEMO_CSV).href, DAG_OUTPUT_URI: pathToFileURL(out).href },
    timeoutSeconds: 30 * 60,
  });
  let lastShown = -1;
  for (;;) {
    const status = await launcher.status(handle);
    if (status.state !== 'running') {
      if (status.state !== 'succeeded') throw new Error(`${label}: ${status.state}: ${status.message}`);
      break;
    }
    const pct = Math.floor((status.progress ?? 0) * 10);
    if (pct !== lastShown) process.stderr.write(`[bench] ${label}: ${pct * 10}% after ${Math.round((Date.now() - started) / 1000)}s\n`);
    lastShown = pct;
    await new Promise((r) => setTimeout(r, 1000));
  }
  const wallSeconds = (Date.now() - started) / 1000;
  const rssKb = Number(/Maximum resident set size \(kbytes\): (\d+)/.exec(fs.readFileSync(timeFile, 'utf8'))?.[1]);
  const summary = JSON.parse(fs.readFileSync(path.join(out, 'model_summary.json'), 'utf8'));
  return {
    label,
    iterations,
    trials,
    wallSeconds,
    peakRssMiB: rssKb / 1024,
    models: summary.candidates.length,
    front1: summary.candidates.filter((c: { pareto_front: number | null }) => c.pareto_front === 1).length,
    nrmse: summary.chosen.nrmse,
    rssd: summary.chosen.decomp_rssd,
  };
}

async function main(): Promise<void> {
  if (!fs.existsSync(GNU_TIME)) throw new Error(`${GNU_TIME} (GNU time) is needed to measure peak RSS`);
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-robyn-'));
  const settings: [string, number, number][] = [['test', 200, 1]];
  if (process.argv.includes('--full')) settings.push(['tutorial', 2000, 5]);
  const rows: Row[] = [];
  try {
    for (const [label, iterations, trials] of settings) rows.push(await runOnce(root, label, iterations, trials));
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
  console.log(`Robyn runner (robynpy 0.3.6 + R glmnet) on dt_simulated_weekly.csv, ${os.cpus().length} CPUs, ${os.cpus()[0]?.model ?? ''}\n`);
  console.log('| settings | iterations × trials | models | wall time | peak RSS | front-1 models | chosen NRMSE | chosen DECOMP.RSSD |');
  console.log('|---|---|---|---|---|---|---|---|');
  for (const r of rows) {
    console.log(
      `| ${r.label} | ${r.iterations} × ${r.trials} | ${r.models} | ${r.wallSeconds.toFixed(1)} s | ${r.peakRssMiB.toFixed(0)} MiB | ${r.front1} | ${r.nrmse.toFixed(4)} | ${r.rssd.toFixed(4)} |`,
    );
  }
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
