import Docker from 'dockerode';
import type { JobSpec } from '../../adapters/launcher/launcher';
import { DockerLauncher, LABELS, containerName } from '../../adapters/launcher/docker/docker-launcher';
import { demuxDockerLogs } from '../../adapters/launcher/docker/docker-logs';
import { FakeDockerEngine } from './support/fake-docker-engine';

// No Docker Engine here: a real dockerode client talks HTTP to a recording fake of the Engine
// API, so these tests pin the exact requests the launcher sends and how it reads the answers.
let engine: FakeDockerEngine;
let launcher: DockerLauncher;

beforeEach(async () => {
  engine = new FakeDockerEngine();
  const port = await engine.start();
  launcher = new DockerLauncher(new Docker({ host: '127.0.0.1', port, protocol: 'http' }), { mounts: ['/srv/dag-data'] });
});
afterEach(() => engine.stop());

const spec: JobSpec = {
  jobId: 'robyn-wf-42',
  image: 'marketing-dag/robyn-runner:latest',
  env: {
    DAG_CONFIG_URI: 'file:///srv/dag-data/objects/mmm/run1/config.json',
    DAG_INPUT_URI: 'file:///srv/dag-data/objects/mmm/run1/input.csv',
    DAG_OUTPUT_URI: 'file:///srv/dag-data/objects/mmm/run1/out',
  },
  timeoutSeconds: 3600,
};
const calls = () => engine.requests.map((r) => `${r.method} ${r.path}`);

test('launch pulls a missing image, creates the container with env, labels and mounts, then starts it', async () => {
  const handle = await launcher.launch(spec);
  expect(calls()).toEqual([
    'GET /containers/json',
    'POST /containers/create',
    'POST /images/create',
    'POST /containers/create',
    `POST /containers/${handle.ref}/start`,
  ]);
  expect(JSON.parse(engine.requests[0].query.filters)).toEqual({ label: [`${LABELS.jobId}=robyn-wf-42`] });
  expect(engine.requests[2].query).toMatchObject({ fromImage: 'marketing-dag/robyn-runner', tag: 'latest' });
  const create = engine.requests[3];
  expect(create.query.name).toBe('marketing-dag-robyn-wf-42');
  expect(create.body.Image).toBe('marketing-dag/robyn-runner:latest');
  expect(create.body.Env).toEqual(
    expect.arrayContaining([
      `DAG_CONFIG_URI=${spec.env.DAG_CONFIG_URI}`,
      `DAG_INPUT_URI=${spec.env.DAG_INPUT_URI}`,
      `DAG_OUTPUT_URI=${spec.env.DAG_OUTPUT_URI}`,
    ]),
  );
  expect(create.body.Labels[LABELS.jobId]).toBe('robyn-wf-42');
  const deadline = Date.parse(create.body.Labels[LABELS.deadline]);
  expect(Math.abs(deadline - (Date.now() + 3600_000))).toBeLessThan(10_000);
  expect(create.body.HostConfig.Binds).toEqual(['/srv/dag-data:/srv/dag-data']);
  expect(create.body.User).toBe(`${process.getuid!()}:${process.getgid!()}`);
  expect(handle).toEqual({ launcher: 'docker', jobId: 'robyn-wf-42', ref: expect.stringMatching(/^c1/) });
});

test('launching the same jobId again (fresh launcher after a restart) re-attaches by label', async () => {
  engine.images.add(spec.image);
  const first = await launcher.launch(spec);
  engine.requests.length = 0;
  const restarted = new DockerLauncher(new Docker({ host: '127.0.0.1', port: engine.port, protocol: 'http' }));
  expect(await restarted.launch(spec)).toEqual(first);
  expect(calls()).toEqual(['GET /containers/json']);
  expect(engine.containers.size).toBe(1);
});

test('status maps running, success and failure (with the stderr tail from the logs endpoint)', async () => {
  engine.images.add(spec.image);
  const handle = await launcher.launch(spec);
  expect(await launcher.status(handle)).toMatchObject({ state: 'running', startedAt: expect.any(String) });
  engine.exit(handle.ref, 2, 'robyn-runner: bad config or input: no spend\n');
  const failed = await launcher.status(handle);
  expect(failed).toMatchObject({ state: 'failed', exitCode: 2, finishedAt: expect.any(String) });
  expect(failed.message).toContain('runner exited with code 2');
  expect(failed.message).toContain('robyn-runner: bad config or input: no spend');
  const logs = engine.requests.find((r) => r.path.endsWith('/logs'))!;
  expect(logs.query).toMatchObject({ stderr: 'true', stdout: 'false', tail: '20' });
  engine.exit(handle.ref, 0);
  expect(await launcher.status(handle)).toMatchObject({ state: 'succeeded', exitCode: 0 });
});

test('a container past its deadline is stopped and reported timed_out', async () => {
  engine.images.add(spec.image);
  const handle = await launcher.launch({ ...spec, timeoutSeconds: 1 });
  engine.containers.get(handle.ref)!.Labels[LABELS.deadline] = new Date(Date.now() - 1000).toISOString();
  expect(await launcher.status(handle)).toMatchObject({ state: 'timed_out' });
  expect(engine.requests.at(-1)).toMatchObject({ method: 'POST', path: `/containers/${handle.ref}/stop`, query: { t: '10' } });
  expect(await launcher.status(handle)).toMatchObject({ state: 'timed_out', exitCode: 143 });
});

test('cancel stops and removes the container; later status says cancelled; cancelling again is harmless', async () => {
  engine.images.add(spec.image);
  const handle = await launcher.launch(spec);
  await launcher.cancel(handle);
  expect(calls().slice(-2)).toEqual([`POST /containers/${handle.ref}/stop`, `DELETE /containers/${handle.ref}`]);
  expect(engine.requests.at(-1)!.query).toMatchObject({ force: 'true' });
  expect(await launcher.status(handle)).toMatchObject({ state: 'cancelled' });
  await expect(launcher.cancel(handle)).resolves.toBeUndefined();
});

test("a name taken by a container that is not this job's is an error, not a second container", async () => {
  engine.images.add(spec.image);
  const other = await launcher.launch({ ...spec, jobId: 'other' });
  engine.containers.get(other.ref)!.Name = containerName(spec.jobId);
  engine.containers.get(other.ref)!.Labels = {};
  await expect(launcher.launch(spec)).rejects.toThrow(/taken by a container without job label robyn-wf-42/);
  expect(engine.containers.size).toBe(1);
});

test('container names are Docker-safe while the label keeps the exact jobId', () => {
  expect(containerName('robyn/wf 1')).toBe('marketing-dag-robyn-wf-1');
  expect(demuxDockerLogs('plain text, not framed')).toBe('plain text, not framed');
});
