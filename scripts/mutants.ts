/**
 * Mutation check (`npm run mutants`): applies each mutant of scripts/mutants-list.ts alone to the
 * working tree, runs only the test files that should catch it, restores the file, and reports
 * caught / survived with the kill rate.
 *
 *   npm run mutants                          all mutants (one shared Temporal dev server)
 *   npm run mutants -- --only a,b            some of them
 *   npm run mutants -- --list                ids, files and tests, and any stale anchor, without running anything
 *   npm run mutants -- --markdown out.md     also write the result table as markdown
 *   npm run mutants -- --no-baseline         skip the unmutated run of the test files
 *
 * Safety: a mutated file is written back from memory as soon as its tests end, on Ctrl-C /
 * SIGTERM / SIGHUP and on any exit; the original is also kept in .data/mutants/applied.json
 * until then, so a run killed with SIGKILL is repaired by the next run (or `--restore`). Every
 * anchor is checked before anything is changed: a mutant whose text no longer occurs exactly once
 * stops the run, naming it. Files with uncommitted changes are refused (so a restore never has to
 * guess).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { resolveTemporalCli } from '../temporal/cli-binary';
import { startDevServer, type DevServer } from '../temporal/dev-server';
import { WORKFLOWS_PATH } from '../workers/worker';
import { MUTANTS, type Mutant } from './mutants-list';
import { fastDeadAttempts } from '../test/support/workflow-bundle';

const ROOT = path.resolve(__dirname, '..');
const OUT = path.join(ROOT, '.data/mutants');
const JOURNAL = path.join(OUT, 'applied.json');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { timeFactor } = require('../test/support/time-factor.js') as { timeFactor: () => number };

type Outcome = 'caught' | 'survived' | 'error';
interface Result {
  mutant: Mutant;
  outcome: Outcome;
  /** The failing tests (caught) or what went wrong (error). */
  detail: string;
  seconds: number;
}

// ── applying and restoring ──────────────────────────────────────────────────────────────────
let applied: { file: string; original: string } | undefined;
let child: ChildProcess | undefined;
let server: DevServer | undefined;
/** Set by a signal: the handler restores, stops and exits; the main loop reports nothing more. */
let stopping = false;

function restore(): void {
  if (applied) {
    fs.writeFileSync(path.join(ROOT, applied.file), applied.original);
    applied = undefined;
  }
  fs.rmSync(JOURNAL, { force: true });
}

function recoverFromJournal(): void {
  if (!fs.existsSync(JOURNAL)) return;
  const j = JSON.parse(fs.readFileSync(JOURNAL, 'utf8')) as { file: string; original: string };
  fs.writeFileSync(path.join(ROOT, j.file), j.original);
  fs.rmSync(JOURNAL);
  console.log(`restored ${j.file} left mutated by an interrupted run`);
}

function apply(m: Mutant): void {
  const file = path.join(ROOT, m.file);
  const original = fs.readFileSync(file, 'utf8');
  fs.mkdirSync(OUT, { recursive: true });
  fs.writeFileSync(JOURNAL, JSON.stringify({ file: m.file, original }));
  applied = { file: m.file, original };
  fs.writeFileSync(
    file,
    original.replace(m.search, () => m.replace),
  );
}

function onSignal(signal: NodeJS.Signals): void {
  if (stopping) return;
  stopping = true;
  restore();
  child?.kill('SIGTERM');
  void (server?.stop() ?? Promise.resolve()).finally(() => {
    console.error(`\nmutants: stopped by ${signal}; every file is restored`);
    process.exit(130);
  });
}

// ── checks before anything changes ──────────────────────────────────────────────────────────
function occurrences(text: string, search: string): number {
  let n = 0;
  for (let i = text.indexOf(search); i !== -1; i = text.indexOf(search, i + 1)) n++;
  return n;
}

/** Problems that stop the run: lost anchors, missing test files, uncommitted changes in a mutated file. */
function preflight(mutants: Mutant[]): string[] {
  const problems: string[] = [];
  const ids = new Set<string>();
  for (const m of mutants) {
    if (ids.has(m.id)) problems.push(`${m.id}: duplicate id`);
    ids.add(m.id);
    const file = path.join(ROOT, m.file);
    if (!fs.existsSync(file)) {
      problems.push(`${m.id}: ${m.file} does not exist`);
      continue;
    }
    const n = occurrences(fs.readFileSync(file, 'utf8'), m.search);
    if (n !== 1) problems.push(`${m.id}: anchor ${n === 0 ? 'not found' : `found ${n} times`} in ${m.file}: ${JSON.stringify(m.search)}`);
    for (const t of m.tests) if (!fs.existsSync(path.join(ROOT, t))) problems.push(`${m.id}: test file ${t} does not exist`);
  }
  const files = [...new Set(mutants.map((m) => m.file))];
  const dirty = spawnSync('git', ['status', '--porcelain', '--', ...files], { cwd: ROOT, encoding: 'utf8' }).stdout.trim();
  if (dirty) problems.push(`uncommitted changes in files the mutants edit (commit or stash them first):\n${dirty}`);
  return problems;
}

// ── running jest ────────────────────────────────────────────────────────────────────────────
interface JestJson {
  testResults: { name: string; message: string; status: string; assertionResults: { title: string; status: string }[] }[];
}

function runJest(tests: string[], only: string | undefined, env: NodeJS.ProcessEnv, tag: string): Promise<{ code: number; json?: JestJson }> {
  const jsonFile = path.join(OUT, `${tag}.json`);
  const logFile = path.join(OUT, 'logs', `${tag}.log`);
  fs.mkdirSync(path.dirname(logFile), { recursive: true });
  fs.rmSync(jsonFile, { force: true });
  const args = [require.resolve('jest/bin/jest'), '--ci', '--maxWorkers=1', '--json', `--outputFile=${jsonFile}`, ...(only ? ['-t', only] : []), ...tests];
  const log = fs.openSync(logFile, 'w');
  return new Promise((resolve) => {
    child = spawn(process.execPath, args, { cwd: ROOT, env, stdio: ['ignore', log, log] });
    child.once('exit', (code) => {
      child = undefined;
      fs.closeSync(log);
      const json = fs.existsSync(jsonFile) ? (JSON.parse(fs.readFileSync(jsonFile, 'utf8')) as JestJson) : undefined;
      resolve({ code: code ?? 1, json });
    });
  });
}

function judge(code: number, json: JestJson | undefined): { outcome: Outcome; detail: string } {
  const short = (s: string) => (s.length > 80 ? `${s.slice(0, 79)}…` : s);
  const failed = (json?.testResults ?? []).flatMap((f) =>
    f.assertionResults.filter((a) => a.status === 'failed').map((a) => `${path.basename(f.name)}: ${short(a.title)}`),
  );
  if (failed.length) return { outcome: 'caught', detail: failed.slice(0, 2).join(' · ') + (failed.length > 2 ? ` (+${failed.length - 2} more)` : '') };
  if (code === 0) return { outcome: 'survived', detail: '' };
  // A suite that could not run (syntax error, crash): not evidence that a test pins the policy.
  const broken = (json?.testResults ?? []).find((f) => f.status === 'failed');
  return {
    outcome: 'error',
    detail:
      (broken?.message ?? `jest exited with ${code}`)
        .split('\n')
        .find((l) => l.trim())
        ?.trim() ?? `jest exited with ${code}`,
  };
}

// ── main ────────────────────────────────────────────────────────────────────────────────────
function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i === -1 ? undefined : process.argv[i + 1];
}

async function main(): Promise<number> {
  recoverFromJournal();
  if (process.argv.includes('--restore')) return 0;
  const wanted = arg('--only')?.split(',').filter(Boolean);
  const unknown = wanted?.filter((id) => !MUTANTS.some((m) => m.id === id)) ?? [];
  if (unknown.length) {
    console.error(`mutants: unknown id(s): ${unknown.join(', ')} (see --list)`);
    return 2;
  }
  const mutants = wanted ? MUTANTS.filter((m) => wanted.includes(m.id)) : MUTANTS;
  const problems = preflight(mutants);
  if (process.argv.includes('--list')) {
    for (const m of mutants) console.log(`${m.id.padEnd(34)} ${m.file.padEnd(42)} ${m.tests.join(' ')}${m.only ? ` -t "${m.only}"` : ''}`);
    for (const p of problems) console.log(`STALE ${p}`);
    return problems.length ? 2 : 0;
  }
  if (problems.length) {
    console.error(`mutants: cannot run — fix the list (scripts/mutants-list.ts) or the tree first:\n  ${problems.join('\n  ')}`);
    return 2;
  }

  for (const s of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(s, onSignal);
  process.on('exit', restore);

  const cliPath = resolveTemporalCli(process.env.TEMPORAL_CLI_PATH);
  if (!cliPath) throw new Error('Temporal CLI not found: run scripts/setup-tools.sh temporal');
  fs.mkdirSync(OUT, { recursive: true });
  console.log('starting a Temporal dev server and bundling the workflows once …');
  const bundlePath = path.join(OUT, 'workflow-bundle.js');
  const [dev, bundle] = await Promise.all([
    startDevServer({ cliPath, headless: true, logFile: path.join(OUT, 'temporal.log') }),
    bundleWorkflowCode({
      workflowsPath: WORKFLOWS_PATH,
      logger: { trace() {}, debug() {}, info() {}, warn() {}, error: console.error, log() {} },
      webpackConfigHook: fastDeadAttempts,
    }),
  ]);
  server = dev;
  fs.writeFileSync(bundlePath, bundle.code);
  const factor = timeFactor();
  const baseEnv = { ...process.env, DAG_TEST_TEMPORAL_ADDRESS: dev.address, DAG_TEST_TIME_FACTOR: String(factor) };
  // A mutated file inside the workflow bundle needs a fresh bundle (jest's global setup builds it); any other reuses this one.
  const envFor = (m: Mutant) => (bundle.code.includes(`"./${m.file}"`) ? baseEnv : { ...baseEnv, DAG_TEST_WORKFLOW_BUNDLE: bundlePath });

  const started = Date.now();
  try {
    if (!process.argv.includes('--no-baseline')) {
      // The same tests the mutants run, unmutated: whole files where a mutant names no tests, else the union of the names.
      const whole = [...new Set(mutants.filter((m) => !m.only).flatMap((m) => m.tests))];
      const named = mutants.filter((m) => m.only);
      const groups = [
        { files: whole, only: undefined },
        { files: [...new Set(named.flatMap((m) => m.tests))].filter((f) => !whole.includes(f)), only: [...new Set(named.map((m) => m.only))].join('|') },
      ].filter((g) => g.files.length);
      for (const [i, g] of groups.entries()) {
        process.stdout.write(`baseline ${i + 1}/${groups.length}: ${g.files.length} test files unmutated … `);
        const base = await runJest(g.files, g.only, { ...baseEnv, DAG_TEST_WORKFLOW_BUNDLE: bundlePath }, `baseline-${i + 1}`);
        if (stopping) await new Promise(() => undefined);
        const verdict = judge(base.code, base.json);
        if (verdict.outcome !== 'survived') {
          console.log(`FAILED (${verdict.detail}): a mutant can only be judged against passing tests (.data/mutants/logs/baseline-${i + 1}.log)`);
          return 1;
        }
        console.log('pass');
      }
    }
    const results: Result[] = [];
    for (const [i, m] of mutants.entries()) {
      process.stdout.write(`[${i + 1}/${mutants.length}] ${m.id} … `);
      const t0 = Date.now();
      apply(m);
      let run: Awaited<ReturnType<typeof runJest>>;
      try {
        run = await runJest(m.tests, m.only, envFor(m), m.id);
      } finally {
        restore();
      }
      if (stopping) await new Promise(() => undefined); // the signal handler exits
      const r = { mutant: m, ...judge(run.code, run.json), seconds: Math.round((Date.now() - t0) / 1000) };
      results.push(r);
      console.log(`${r.outcome.toUpperCase()} (${r.seconds} s)${r.detail ? ` — ${r.detail}` : ''}`);
    }
    const caught = results.filter((r) => r.outcome === 'caught').length;
    const survived = results.filter((r) => r.outcome === 'survived');
    const errors = results.filter((r) => r.outcome === 'error');
    const judged = caught + survived.length;
    const rate = judged ? (100 * caught) / judged : 0;
    const minutes = ((Date.now() - started) / 60_000).toFixed(1);
    console.log(
      `\nkill rate ${rate.toFixed(1)} % (${caught} caught, ${survived.length} survived${errors.length ? `, ${errors.length} errors not counted` : ''}) in ${minutes} min, time factor ${factor}`,
    );
    for (const r of survived) console.log(`  survived: ${r.mutant.id} — ${r.mutant.file}: ${r.mutant.policy}`);
    for (const r of errors) console.log(`  error: ${r.mutant.id} — ${r.detail}`);
    const md = arg('--markdown');
    if (md) fs.writeFileSync(md, markdown(results, rate, caught, judged, minutes));
    return survived.length || errors.length ? 1 : 0;
  } finally {
    restore();
    await server.stop();
    server = undefined;
  }
}

function markdown(results: Result[], rate: number, caught: number, judged: number, minutes: string): string {
  const esc = (s: string) => s.replace(/\|/g, '\\|');
  return [
    `Kill rate **${rate.toFixed(1)} %** (${caught} of ${judged} mutants caught; ${minutes} min on ${new Date().toISOString().slice(0, 10)}).`,
    '',
    '| mutant | policy | file | result | caught by |',
    '|---|---|---|---|---|',
    ...results.map((r) => `| \`${r.mutant.id}\` | ${esc(r.mutant.policy)} | \`${r.mutant.file}\` | ${r.outcome} | ${esc(r.detail)} |`),
    '',
  ].join('\n');
}

main().then(
  (code) => process.exit(code),
  (err: Error) => {
    restore();
    console.error(`mutants: ${err.message}`);
    void (server?.stop() ?? Promise.resolve()).finally(() => process.exit(1));
  },
);
