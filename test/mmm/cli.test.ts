import * as fs from 'node:fs';
import * as path from 'node:path';
import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { Command } from 'commander';
import { registerMmmCommands } from '../../cli/mmm';
import { CliError } from '../../cli/errors';
import type { Config } from '../../config/config';
import type { ActivityDeps } from '../../lib/deps';
import { openDeps } from '../../lib/open-deps';
import { robynMmmWorkflowId, type RobynMmmInput } from '../../workflows/robyn-mmm';
import { createTestEnv, testConfig, type TestEnv } from '../support/temporal';
import { DEMO_CSV, DEMO_VARIABLES, fakeRunner, makeMmmWorker } from './support';

// `dag mmm upload` / `dag mmm run --csv <local file>`: bringing a dataset from a laptop, and bad
// hyperparameter keys refused in one line before anything is uploaded or started.
let env: TestEnv;
let config: Config;
let deps: ActivityDeps;
let worker: Awaited<ReturnType<typeof makeMmmWorker>>;
const country = 'QZ';

beforeAll(async () => {
  env = await createTestEnv();
  config = await testConfig({ DAG_TASK_QUEUE: `mmm-cli-${randomUUID()}` });
  deps = await openDeps(config);
  worker = await makeMmmWorker(env, deps, config.temporal.taskQueue, { runnerCommand: fakeRunner(0.5) });
}, 60_000);
afterAll(async () => {
  await worker?.stop();
  await deps?.warehouse.close();
  await env?.close();
});

async function dag(...args: string[]): Promise<string> {
  const program = new Command('dag').exitOverride();
  registerMmmCommands(program, { config: () => config, client: async () => new Client({ connection: await Connection.connect({ address: env.address }) }) });
  const out: string[] = [];
  const write = jest.spyOn(process.stdout, 'write').mockImplementation((s) => (out.push(String(s)), true));
  try {
    await program.parseAsync(['node', 'dag', 'mmm', ...args]);
  } finally {
    write.mockRestore();
  }
  return out.join('');
}
const runs = async () => (await env.client.workflow.count(`WorkflowId = '${robynMmmWorkflowId(country)}'`)).count;

test('dag mmm upload puts a local CSV where RobynMmm reads it and says how to run it', async () => {
  const out = await dag('upload', DEMO_CSV);
  expect(out).toMatch(
    /^uploaded .*dt_simulated_weekly\.csv \(208 rows; columns DATE, revenue, tv_S, .*\) to mmm\/uploads\/dt_simulated_weekly\.csv\nrun it with: dag mmm run --csv mmm\/uploads\/dt_simulated_weekly\.csv /,
  );
  expect((await deps.store.get('mmm/uploads/dt_simulated_weekly.csv')).equals(fs.readFileSync(DEMO_CSV))).toBe(true);
});

test('dag mmm run --csv <local file> uploads it and starts RobynMmm on it', async () => {
  const local = path.join(config.dataDir, 'my-weeks.csv');
  fs.copyFileSync(DEMO_CSV, local);
  const variables = JSON.stringify(DEMO_VARIABLES);
  const out = await dag(
    'run',
    '--country',
    country,
    '--from',
    '2016-01-04',
    '--to',
    '2018-12-31',
    '--iterations',
    '10',
    '--trials',
    '1',
    '--csv',
    local,
    '--variables',
    variables,
  );
  expect(out).toBe(`started ${robynMmmWorkflowId(country)}\n`);
  expect((await deps.store.get('mmm/uploads/my-weeks.csv')).equals(fs.readFileSync(DEMO_CSV))).toBe(true);
  const handle = env.client.workflow.getHandle(robynMmmWorkflowId(country));
  const started = (await handle.fetchHistory()).events![0].workflowExecutionStartedEventAttributes!;
  const { defaultPayloadConverter } = await import('@temporalio/common');
  const input = defaultPayloadConverter.fromPayload<RobynMmmInput>(started.input!.payloads![0]);
  expect(input.source).toEqual({ kind: 'csv', key: 'mmm/uploads/my-weeks.csv', variables: DEMO_VARIABLES });
  await handle.result().catch(() => undefined); // the fake runner writes no summary: only the start matters here
});

test.each([
  [
    ['--hyperparameters', '{"tv_S_theta":[0.3,0.8]}'],
    /^RobynMmm input: hyperparameters: unknown key "tv_S_theta" \(expected <channel>_alphas\|gammas\|thetas for tv_S, ooh_S, print_S, facebook_S, search_S, newsletter, train_size or lambda\)$/,
  ],
  [['--hyperparameters', '{"tv_S_thetas":[0.8,0.3]}'], /^RobynMmm input: hyperparameters: tv_S_thetas: low 0.8 is above high 0.3$/],
  [['--iterations', '-1'], /^RobynMmm input: iterations: Too small: expected number to be >=10$/],
])('dag mmm run %j is refused in one line and starts nothing', async (extra, message) => {
  const before = await runs();
  const err = await dag(
    'run',
    '--country',
    country,
    '--csv',
    'mmm/uploads/dt_simulated_weekly.csv',
    '--variables',
    JSON.stringify(DEMO_VARIABLES),
    ...extra,
  ).catch((e) => e);
  expect(err).toBeInstanceOf(CliError);
  expect(err.message).toMatch(message);
  expect(await runs()).toBe(before);
});
