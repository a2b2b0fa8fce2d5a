import type { CloudRunExecutionsApi, CloudRunJobsApi, Execution, RunJobRequest } from '../../adapters/launcher/cloudrun/cloud-run-api';
import { CloudRunLauncher, JOB_ID_ENV } from '../../adapters/launcher/cloudrun/cloud-run-launcher';
import type { JobSpec } from '../../adapters/launcher/launcher';

// Cloud Run cannot be reached here: recording clients typed as the API subset the launcher
// uses (the real JobsClient/ExecutionsClient are checked against it by the compiler in index.ts).
const JOB = 'projects/acme/locations/europe-west1/jobs/robyn-runner';
const EXEC = `${JOB}/executions/robyn-runner-x7k2p`;

class RecordingCloudRun implements CloudRunJobsApi, CloudRunExecutionsApi {
  calls: { method: string; request: unknown }[] = [];
  executions: Execution[] = [];
  runJobMetadata: unknown = { name: EXEC };
  cancelError?: Error & { code?: number };

  async runJob(request: RunJobRequest) {
    this.calls.push({ method: 'runJob', request });
    const env = request.overrides?.containerOverrides?.[0]?.env ?? [];
    this.executions.push({ name: EXEC, template: { containers: [{ env }] } });
    return [{ name: 'projects/acme/locations/europe-west1/operations/op-1', metadata: this.runJobMetadata }] as [{ name: string; metadata: unknown }];
  }
  async getExecution(request: { name: string }) {
    this.calls.push({ method: 'getExecution', request });
    const found = this.executions.find((e) => e.name === request.name);
    if (!found) throw Object.assign(new Error('5 NOT_FOUND'), { code: 5 });
    return [found] as [Execution];
  }
  async listExecutions(request: { parent: string }) {
    this.calls.push({ method: 'listExecutions', request });
    return [this.executions] as [Execution[]];
  }
  async cancelExecution(request: { name: string }) {
    this.calls.push({ method: 'cancelExecution', request });
    if (this.cancelError) throw this.cancelError;
    return [{}];
  }
}

const spec: JobSpec = {
  jobId: 'robyn-wf-42',
  image: 'ignored-the-job-defines-it',
  env: { DAG_CONFIG_URI: 'gs://b/mmm/run1/config.json', DAG_INPUT_URI: 'gs://b/mmm/run1/input.csv', DAG_OUTPUT_URI: 'gs://b/mmm/run1/out' },
  timeoutSeconds: 7200,
};

let api: RecordingCloudRun;
let launcher: CloudRunLauncher;
beforeEach(() => {
  api = new RecordingCloudRun();
  launcher = new CloudRunLauncher(api, api, JOB);
});

test('launch runs the job with env, task count and timeout overrides; the execution name is the ref', async () => {
  const handle = await launcher.launch(spec);
  expect(api.calls.map((c) => c.method)).toEqual(['listExecutions', 'runJob']);
  expect(api.calls[0].request).toEqual({ parent: JOB });
  expect(api.calls[1].request).toEqual({
    name: JOB,
    overrides: {
      containerOverrides: [
        {
          env: [
            { name: 'DAG_CONFIG_URI', value: 'gs://b/mmm/run1/config.json' },
            { name: 'DAG_INPUT_URI', value: 'gs://b/mmm/run1/input.csv' },
            { name: 'DAG_OUTPUT_URI', value: 'gs://b/mmm/run1/out' },
            { name: JOB_ID_ENV, value: 'robyn-wf-42' },
          ],
        },
      ],
      taskCount: 1,
      timeout: { seconds: 7200 },
    },
  });
  expect(handle).toEqual({ launcher: 'cloudrun', jobId: 'robyn-wf-42', ref: EXEC });
});

test('a fresh launcher finds the execution already started for the jobId instead of running again', async () => {
  const first = await launcher.launch(spec);
  api.calls = [];
  expect(await new CloudRunLauncher(api, api, JOB).launch(spec)).toEqual(first);
  expect(api.calls.map((c) => c.method)).toEqual(['listExecutions']);
});

test('when the operation carries no execution name, it is looked up by jobId', async () => {
  api.runJobMetadata = null;
  expect((await launcher.launch(spec)).ref).toBe(EXEC);
  expect(api.calls.map((c) => c.method)).toEqual(['listExecutions', 'runJob', 'listExecutions']);
});

test('status maps execution counts and conditions to job states', async () => {
  const handle = await launcher.launch(spec);
  const set = (fields: Partial<Execution>) => Object.assign(api.executions[0], fields);
  set({ startTime: { seconds: 1764000000, nanos: 500_000_000 }, taskCount: 1 });
  expect(await launcher.status(handle)).toEqual({ state: 'running', startedAt: '2025-11-24T16:00:00.500Z' });
  set({ completionTime: { seconds: 1764000600 }, succeededCount: 1 });
  expect(await launcher.status(handle)).toMatchObject({ state: 'succeeded', finishedAt: '2025-11-24T16:10:00.000Z' });
  set({
    succeededCount: 0,
    failedCount: 1,
    logUri: 'https://console.cloud.google.com/logs/x',
    conditions: [{ type: 'Completed', state: 'CONDITION_FAILED', message: 'Task robyn-runner-x7k2p-task0 failed with exit code 2' }],
  });
  expect(await launcher.status(handle)).toMatchObject({
    state: 'failed',
    message: 'Task robyn-runner-x7k2p-task0 failed with exit code 2\nlogs: https://console.cloud.google.com/logs/x',
  });
  set({ conditions: [{ type: 'Completed', state: 'CONDITION_FAILED', message: 'The configured timeout was reached.' }] });
  expect(await launcher.status(handle)).toMatchObject({ state: 'timed_out' });
  set({ failedCount: 0, cancelledCount: 1 });
  expect(await launcher.status(handle)).toMatchObject({ state: 'cancelled' });
  expect(await launcher.status({ ...handle, ref: `${JOB}/executions/gone` })).toMatchObject({ state: 'failed', message: expect.stringContaining('not found') });
});

test('cancel cancels the execution; an already finished or deleted one is not an error, others are', async () => {
  const handle = await launcher.launch(spec);
  await launcher.cancel(handle);
  expect(api.calls.at(-1)).toEqual({ method: 'cancelExecution', request: { name: EXEC } });
  api.cancelError = Object.assign(new Error('9 FAILED_PRECONDITION: execution already completed'), { code: 9 });
  await expect(launcher.cancel(handle)).resolves.toBeUndefined();
  api.cancelError = Object.assign(new Error('7 PERMISSION_DENIED'), { code: 7 });
  await expect(launcher.cancel(handle)).rejects.toThrow('PERMISSION_DENIED');
});

test('the job name must be a full resource name', () => {
  expect(() => new CloudRunLauncher(api, api, 'robyn-runner')).toThrow(/projects\/<project>\/locations\/<region>\/jobs\/<job>/);
});
