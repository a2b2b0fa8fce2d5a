import { Command } from 'commander';
import { registerRunCommands } from '../../cli/run';
import { connectClient } from '../../temporal/connection';
import { createTestEnv, type TestEnv, type TestWorker } from '../support/temporal';

/**
 * `dag run nightly --no-review` reports a blocked partition at once instead of opening a cleaning
 * review (which waits up to 24 h), and `dag status` warns about landing files that match no source.
 */
let env: TestEnv;
let w: TestWorker;
beforeAll(async () => {
  env = await createTestEnv();
  w = await env.makeWorker();
});
afterAll(async () => {
  await w?.close();
  await env?.close();
});

async function dag(...args: string[]): Promise<string> {
  const p = new Command('dag').exitOverride();
  registerRunCommands(p, { config: () => w.config, client: () => connectClient(w.config, env.address) });
  const out: string[] = [];
  const write = jest.spyOn(process.stdout, 'write').mockImplementation((s) => (out.push(String(s)), true));
  try {
    await p.parseAsync(['node', 'dag', ...args]);
  } finally {
    write.mockRestore();
  }
  return out.join('');
}

test('--no-review: a blocked partition is reported at once and no cleaning review is opened', async () => {
  const out = JSON.parse(await dag('run', 'nightly', '--date', '2026-04-01', '--no-review', '--wait', '--json'));
  expect(out).toMatchObject({ date: '2026-04-01', status: 'blocked', blocked: { stage: 'silver', failedChecks: ['sources_present'] } });
  await expect(env.client.workflow.getHandle('cleaning-2026-04-01').describe()).rejects.toThrow(/not found/i);
});

test('dag status warns about landing files that match no source', async () => {
  await w.deps.store.put('landing/2026-04-02/Events.csv', 'a\n1\n');
  await env.client.workflow.execute('NightlyPipeline', {
    taskQueue: w.taskQueue,
    workflowId: 'nightly-2026-04-02',
    args: [{ date: '2026-04-02', review: false }],
  });
  const status = await dag('status', 'nightly-2026-04-02');
  expect(status).toContain('warning: 1 file matches no source: landing/2026-04-02/Events.csv');
});
