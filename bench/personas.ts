/**
 * Persona benchmark on DuckDB: label 1M participants × 10 features × 8 personas, and drift of
 * 1M (current) vs 1M (reference). Each measured step runs in its own child process, so its peak
 * RSS (DuckDB's memory included) is that step's alone.
 *   npx tsx bench/personas.ts [--rows 1000000] [--threads 2]
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadConfig } from '../config/config';
import { openDeps } from '../lib/open-deps';
import { bootstrapPersonaTables, importVendorFile } from '../activities/personas/import-vendor';
import { generateSurveyParticipants, loadSurveyParticipants } from '../activities/personas/participants';
import { labelParticipants } from '../activities/personas/label';
import { computeDrift } from '../activities/personas/drift';
import { setReference } from '../activities/personas/registry';

const arg = (name: string, dflt: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : dflt;
};
const REFERENCE = '2026-11-01';
const CURRENT = '2026-11-02';
const FIXTURE = path.resolve(__dirname, '../test/fixtures/personas/vendor-personas.csv');

async function deps(dir: string) {
  return openDeps(loadConfig({ DAG_DATA_DIR: dir, DAG_LOG_LEVEL: 'warn', DAG_DUCKDB_THREADS: arg('threads', '2') }));
}

/** Child: one measured step; prints {ms, rssMb, detail} as JSON. */
async function phase(name: string, dir: string): Promise<void> {
  const d = await deps(dir);
  const started = performance.now();
  const detail =
    name === 'label'
      ? await labelParticipants(d, { date: CURRENT }).then((r) => `${r.rows} rows, ${r.unassigned} unassigned`)
      : await computeDrift(d, { date: CURRENT }).then((r) => `drift=${r.isDrift} (${r.driftedFeatures.join(',') || 'no feature'} drifted)`);
  const ms = performance.now() - started;
  await d.warehouse.close();
  process.stdout.write(JSON.stringify({ ms, rssMb: process.resourceUsage().maxRSS / 1024, detail }) + '\n');
}

async function main(): Promise<void> {
  const rows = Number(arg('rows', '1000000'));
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-personas-'));
  const prep = performance.now();
  const d = await deps(dir);
  await bootstrapPersonaTables(d.warehouse);
  await importVendorFile(d, FIXTURE);
  for (const [date, seed, shift] of [
    [REFERENCE, 1, undefined],
    [CURRENT, 2, { features: ['x3', 'x7'], stdPerDay: 0.5, from: CURRENT }],
  ] as const) {
    await generateSurveyParticipants(d, { date, participants: rows, seed, shift: shift && { ...shift, features: [...shift.features] } });
    await loadSurveyParticipants(d, { date });
  }
  await labelParticipants(d, { date: REFERENCE });
  await setReference(d, 1, REFERENCE, REFERENCE);
  await d.warehouse.close();
  process.stderr.write(`prepared ${rows} + ${rows} participants in ${((performance.now() - prep) / 1000).toFixed(1)} s\n`);
  const results = ['label', 'drift'].map((name) => {
    const child = spawnSync(process.execPath, [...process.execArgv, __filename, '--phase', name, '--dir', dir, '--threads', arg('threads', '2')], {
      encoding: 'utf8',
    });
    if (child.status !== 0) throw new Error(`${name} failed: ${child.stderr}`);
    return { name, ...(JSON.parse(child.stdout.trim().split('\n').pop()!) as { ms: number; rssMb: number; detail: string }) };
  });
  const what = {
    label: `label ${rows.toLocaleString('en')} × 10 features × 8 personas`,
    drift: `drift ${rows.toLocaleString('en')} vs ${rows.toLocaleString('en')} (10 features + labels, 10 SVGs)`,
  } as Record<string, string>;
  console.log(`\nDuckDB, ${arg('threads', '2')} threads, ${os.cpus().length} CPUs, load average ${os.loadavg()[0].toFixed(2)}\n`);
  console.log('| step | wall time | peak RSS (step process) | result |\n|---|---:|---:|---|');
  for (const r of results) console.log(`| ${what[r.name]} | ${(r.ms / 1000).toFixed(2)} s | ${r.rssMb.toFixed(0)} MB | ${r.detail} |`);
  fs.rmSync(dir, { recursive: true, force: true });
}

const phaseName = arg('phase', '');
(phaseName ? phase(phaseName, arg('dir', '')) : main()).catch((err) => {
  console.error(err);
  process.exit(1);
});
