/**
 * `npm run soak -- --histories N --seed S`: many more random histories than `npm test` runs (see
 * test/history/), against a Temporal dev server of its own. Prints one line per history; on the
 * first failure it shrinks that history to a minimal reproduction and prints it — steps to read,
 * and the JSON to paste into test/history/regressions.ts — then exits 1.
 *
 * Options: --histories N (100) · --seed S (random, printed) · --steps MIN..MAX (15..20) · --days D (3)
 * · --concurrency C (3) · --kill-every K (4; 0 = no kill steps) · --kill-retry (also let Temporal
 * retry a killed load: +15 s per kill) · --cleaning W (weight of anomalous deliveries and cleanAccept steps; 0 = none) · --checks outcome,failed,bronze,audit,summary,rebuild
 * · --shrink-budget B (80 candidate runs) · --no-shrink · --results (write bench/out/section-soak.md)
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Command } from 'commander';
import { Client, Connection } from '@temporalio/client';
import { bundleWorkflowCode, DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import { resolveTemporalCli } from '../temporal/cli-binary';
import { startDevServer } from '../temporal/dev-server';
import { WORKFLOWS_PATH } from '../workers/worker';
import { describeFailure, runPlan, shrink, type HistoryPlan } from '../test/history/harness';
import { CHECKS, type CheckName } from '../test/history/invariants';
import { formatReport } from '../test/history/run-history';
import { fastDeadAttempts } from '../test/support/workflow-bundle';

async function main() {
  const opts = new Command('soak')
    .option('--histories <n>', 'histories to run', '100')
    .option('--seed <s>', 'seed of history 0 (history i uses seed + i)', String(Math.floor(Math.random() * 2 ** 31)))
    .option('--steps <min..max>', 'random steps per history', '15..20')
    .option('--days <n>', 'partition dates per history', '3')
    .option('--concurrency <n>', 'histories run side by side', '3')
    .option('--kill-every <n>', 'every n-th history has worker-kill steps (0 = none)', '4')
    .option('--kill-retry', 'kill steps may let Temporal retry the killed load (waits for the 15 s heartbeat timeout of the test bundle)')
    .option('--cleaning <w>', 'weight of anomalous deliveries and cleanAccept steps (accepted cleanings, issue #14.5; 0 = none)', '0')
    .option('--checks <list>', `invariants to check (${CHECKS.join(',')})`, CHECKS.join(','))
    .option('--shrink-budget <n>', 'candidate runs the shrinker may try', '80')
    .option('--no-shrink', 'print the failing history as generated')
    .option('--results', 'write the figures to bench/out/section-soak.md')
    .parse()
    .opts<Record<string, string | boolean>>();
  const int = (name: string, min = 0) => {
    const n = Number(opts[name]);
    if (!Number.isInteger(n) || n < min) throw new Error(`--${name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)} must be a whole number ≥ ${min}`);
    return n;
  };
  const steps = /^(\d+)\.\.(\d+)$/.exec(String(opts.steps));
  if (!steps) throw new Error('--steps must look like 15..20');
  const checks = String(opts.checks).split(',');
  const unknown = checks.filter((c) => !(CHECKS as readonly string[]).includes(c));
  if (unknown.length) throw new Error(`unknown check(s) ${unknown.join(', ')}; known: ${CHECKS.join(', ')}`);
  const plan: HistoryPlan = {
    seed: int('seed'),
    histories: int('histories', 1),
    minSteps: Number(steps[1]),
    maxSteps: Number(steps[2]),
    days: int('days', 1),
    concurrency: int('concurrency', 1),
    firstDate: '2027-01-01',
    kill: 3,
    killRetry: !!opts.killRetry,
    killEvery: int('killEvery'),
    cleaning: int('cleaning'),
    checks: new Set(checks as CheckName[]),
    log: (l) => process.stdout.write(`${l}\n`),
  };
  process.stdout.write(
    `soak: ${plan.histories} histories from seed ${plan.seed}, ${plan.minSteps}..${plan.maxSteps} steps on ${plan.days} dates, ${plan.concurrency} at a time\n`,
  );

  Runtime.install({ logger: new DefaultLogger('ERROR') });
  const cliPath = resolveTemporalCli(process.env.TEMPORAL_CLI_PATH);
  if (!cliPath) throw new Error('Temporal CLI not found: run bash scripts/setup-tools.sh temporal');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'soak-'));
  const [server, bundle] = await Promise.all([
    startDevServer({ cliPath, headless: true, logFile: path.join(dir, 'temporal.log') }),
    // The test suite's bundle: killed workers are noticed in seconds (test/support/workflow-bundle.ts).
    bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: new DefaultLogger('ERROR'), webpackConfigHook: fastDeadAttempts }),
  ]);
  const bundlePath = path.join(dir, 'workflow-bundle.js');
  fs.writeFileSync(bundlePath, bundle.code);
  const connection = await NativeConnection.connect({ address: server.address });
  const clientConnection = await Connection.connect({ address: server.address });
  const env = { connection, client: new Client({ connection: clientConnection }), address: server.address, bundlePath };
  let code = 0;
  try {
    const started = Date.now();
    const { failures, runs, reports } = await runPlan([env], plan);
    const seconds = (Date.now() - started) / 1000;
    const steps = reports.reduce((s, r) => s + r.log.length, 0);
    const summary = `${reports.length} histories (seed ${plan.seed}), ${steps} steps, ${runs} pipeline runs in ${seconds.toFixed(0)} s on ${os.cpus().length} cores: ${failures.length} failed`;
    process.stdout.write(`${summary}\n`);
    if (opts.results) {
      fs.mkdirSync(path.resolve(__dirname, '../bench/out'), { recursive: true });
      fs.writeFileSync(
        path.resolve(__dirname, '../bench/out/section-soak.md'),
        `### History soak (\`npm run soak -- --histories ${plan.histories} --seed ${plan.seed}\`)\n\n${summary}; ${(seconds / Math.max(1, runs)).toFixed(2)} s per pipeline run including its from-scratch rebuild and comparison.\n`,
      );
    }
    if (failures.length) {
      code = 1;
      const first = failures[0];
      process.stdout.write(`\n${describeFailure(first, plan)}\n`);
      if (opts.shrink !== false) {
        process.stdout.write(`\nshrinking history ${first.index} (budget ${int('shrinkBudget')} runs)…\n`);
        const small = await shrink(env, plan, first, int('shrinkBudget'));
        process.stdout.write(`\nminimal reproduction (${small.tried} candidates tried):\n${formatReport(small.report)}\n`);
        process.stdout.write(
          `\nas a regression case (test/history/regressions.ts):\n${JSON.stringify({ firstDate: first.firstDate, days: plan.days, steps: small.steps })}\n`,
        );
      }
    }
  } finally {
    await clientConnection.close();
    await connection.close();
    await server.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
  process.exit(code);
}

main().catch((err: Error) => {
  process.stderr.write(`soak: ${err.message.split('\n')[0]}\n`);
  process.exit(2);
});
