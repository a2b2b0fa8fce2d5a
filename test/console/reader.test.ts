import { randomUUID } from 'node:crypto';
import { createObjectStore } from '../../adapters/object-store';
import { workerReader } from '../../console/reader';
import { createTestEnv, testConfig, type TestEnv } from '../support/temporal';

let env: TestEnv;
beforeAll(async () => {
  env = await createTestEnv();
});
afterAll(async () => env?.close());

test('without a worker on its task queue, a page read ends with one line saying so instead of hanging', async () => {
  const taskQueue = `no-worker-${randomUUID()}`;
  const store = createObjectStore(await testConfig());
  const reader = workerReader(env.client, store, taskQueue, 1500);
  await expect(reader.partitions('2031-06-01', '2031-06-07')).rejects.toThrow(
    `no worker answered on task queue ${taskQueue} within 1.5 s: is \`dag worker\` (or \`dag dev\`) running?`,
  );
  // The read stays started (a worker that comes up answers it) and the next viewer joins the same run.
  const first = await env.client.workflow.getHandle(`console-partitions-${taskQueue}-2031-06-01-2031-06-07`).describe();
  await expect(reader.partitions('2031-06-01', '2031-06-07')).rejects.toThrow(/no worker answered/);
  const second = await env.client.workflow.getHandle(`console-partitions-${taskQueue}-2031-06-01-2031-06-07`).describe();
  expect(second.status.name).toBe('RUNNING');
  expect(second.runId).toBe(first.runId);
  await env.client.workflow.getHandle(`console-partitions-${taskQueue}-2031-06-01-2031-06-07`).terminate('test done');
});
