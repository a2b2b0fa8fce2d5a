import * as fs from 'node:fs';
import { STATE_FILE } from '../support/global-setup';
import { createTestEnv, type TestEnv } from '../support/temporal';
import { CHECKS, type CheckName } from './invariants';
import { HistoryRunner, formatReport } from './run-history';
import { REGRESSIONS } from './regressions';

/**
 * The shrunk histories of bugs the history test found (test/history/regressions.ts), run one by
 * one. DAG_HISTORY_CHECKS=bronze,rebuild narrows the checks (to see one bug on old code).
 */
const checks = new Set((process.env.DAG_HISTORY_CHECKS ?? CHECKS.join(',')).split(',') as CheckName[]);
let env: TestEnv;
let runner: HistoryRunner;
beforeAll(async () => {
  env = await createTestEnv();
  const { bundlePath, address } = JSON.parse(fs.readFileSync(STATE_FILE, 'utf8')) as { bundlePath: string; address: string };
  runner = new HistoryRunner({ connection: env.connection, client: env.client, address, bundlePath });
});
afterAll(async () => {
  await runner?.close();
  await env?.close();
});

test.each(REGRESSIONS.map((c) => [c.name, c] as const))(
  '%s',
  async (_name, c) => {
    const report = await runner.run(c.steps, { firstDate: c.firstDate, days: c.days, checks });
    if (!report.ok) throw new Error(formatReport(report, `${c.name}:`));
    // DAG_HISTORY_LOG=1: print what a passing history did (steps and how each run ended).
    if (process.env.DAG_HISTORY_LOG) process.stderr.write(`${formatReport(report, `${c.name}: ok`)}\n`);
  },
  600_000,
);
