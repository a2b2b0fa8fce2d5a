import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { JobHandle, JobSpec, JobStatus } from '../../adapters/launcher/launcher';
import { LocalProcessLauncher } from '../../adapters/launcher/local/local-process-launcher';
import { scaled } from '../support/time';

// Runners here are tiny bash scripts: the launcher contract does not depend on what runs.
let root: string;
let started: JobHandle[];

beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'local-launcher-'));
  started = [];
});

afterEach(async () => {
  const launcher = new LocalProcessLauncher(path.join(root, 'jobs'));
  for (const handle of started) await launcher.cancel(handle);
  fs.rmSync(root, { recursive: true, force: true });
});

function spec(jobId: string, script: string, timeoutSeconds = 60): JobSpec {
  const out = path.join(root, 'out', jobId);
  fs.mkdirSync(out, { recursive: true });
  return {
    jobId,
    image: 'unused-by-local',
    command: ['bash', '-c', script],
    env: { DAG_CONFIG_URI: 'file:///cfg.json', DAG_INPUT_URI: 'file:///in.csv', DAG_OUTPUT_URI: pathToFileURL(out).href },
    timeoutSeconds,
  };
}

async function launch(launcher: LocalProcessLauncher, s: JobSpec): Promise<JobHandle> {
  const handle = await launcher.launch(s);
  started.push(handle);
  return handle;
}

async function waitUntil(launcher: LocalProcessLauncher, handle: JobHandle, done: (s: JobStatus) => boolean, ms = 15000): Promise<JobStatus> {
  const deadline = Date.now() + scaled(ms);
  for (;;) {
    const status = await launcher.status(handle);
    if (done(status)) return status;
    if (Date.now() > deadline) throw new Error(`still ${JSON.stringify(status)} after ${ms}ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
const ended = (s: JobStatus) => s.state !== 'running';

async function readPidFile(file: string): Promise<number> {
  for (let i = 0; i < scaled(100) && !fs.existsSync(file); i++) await new Promise((r) => setTimeout(r, 50));
  return Number(fs.readFileSync(file, 'utf8').trim());
}

/** Running (not a zombie waiting for init to reap it). */
function alive(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/^ [ZX]/.test(stat.slice(stat.lastIndexOf(')') + 1));
  } catch {
    return false;
  }
}

const jobDir = (jobId: string) => path.join(root, 'jobs', jobId); // ids used here are folder-safe

test('success: env contract reaches the runner, progress is surfaced, exit 0 → succeeded', async () => {
  const launcher = new LocalProcessLauncher(path.join(root, 'jobs'));
  const s = spec(
    'ok-1',
    'out=${DAG_OUTPUT_URI#file://}; echo "{\\"progress\\":0.5,\\"message\\":\\"half\\"}" >> $out/progress.ndjson; echo "$DAG_CONFIG_URI $DAG_INPUT_URI" > $out/env.txt; sleep 1',
  );
  const handle = await launch(launcher, s);
  expect(handle).toMatchObject({ launcher: 'local', jobId: 'ok-1' });
  const running = await waitUntil(launcher, handle, (st) => st.progress === 0.5);
  expect(running.state).toBe('running');
  const status = await waitUntil(launcher, handle, ended);
  expect(status).toMatchObject({ state: 'succeeded', exitCode: 0 });
  expect(status.finishedAt).toBeDefined();
  expect(fs.readFileSync(path.join(root, 'out', 'ok-1', 'env.txt'), 'utf8').trim()).toBe('file:///cfg.json file:///in.csv');
});

test("the runner gets JobSpec.env and a minimal base env, not the worker's secrets", async () => {
  process.env.OPENAI_API_KEY = 'sk-worker-secret';
  try {
    const launcher = new LocalProcessLauncher(path.join(root, 'jobs'));
    const handle = await launch(launcher, spec('env-1', 'env > ${DAG_OUTPUT_URI#file://}/env.txt'));
    expect(await waitUntil(launcher, handle, ended)).toMatchObject({ state: 'succeeded' });
  } finally {
    delete process.env.OPENAI_API_KEY;
  }
  const env = fs.readFileSync(path.join(root, 'out', 'env-1', 'env.txt'), 'utf8');
  expect(env).toContain('DAG_INPUT_URI=file:///in.csv');
  expect(env).toContain(`PATH=${process.env.PATH}`);
  expect(env).not.toContain('sk-worker-secret');
});

test('non-zero exit → failed with the exit code and the stderr tail as message', async () => {
  const launcher = new LocalProcessLauncher(path.join(root, 'jobs'));
  const handle = await launch(launcher, spec('fail-1', 'echo noise >&2; echo "robyn-runner: bad config or input: no spend" >&2; exit 2'));
  const status = await waitUntil(launcher, handle, ended);
  expect(status).toMatchObject({ state: 'failed', exitCode: 2 });
  expect(status.message).toContain('runner exited with code 2');
  expect(status.message).toContain('robyn-runner: bad config or input: no spend');
});

test('runner killed by SIGKILL → failed, naming the signal', async () => {
  const launcher = new LocalProcessLauncher(path.join(root, 'jobs'));
  const handle = await launch(launcher, spec('killed-1', 'sleep 30'));
  const runnerPid = await readPidFile(path.join(jobDir('killed-1'), 'runner.pid'));
  process.kill(runnerPid, 'SIGKILL');
  const status = await waitUntil(launcher, handle, ended);
  expect(status.state).toBe('failed');
  expect(status.message).toContain('killed by SIGKILL');
});

test('timeout → timed_out, and the runner process group (grandchildren too) is killed', async () => {
  const launcher = new LocalProcessLauncher(path.join(root, 'jobs'));
  const handle = await launch(launcher, spec('slow-1', `sleep 30 & echo $! > ${root}/grandchild.pid; wait`, 1));
  const grandchild = await readPidFile(path.join(root, 'grandchild.pid'));
  const status = await waitUntil(launcher, handle, ended, 10000);
  expect(status.state).toBe('timed_out');
  expect(status.message).toContain('timed out after 1s');
  await new Promise((r) => setTimeout(r, 200));
  expect(alive(grandchild)).toBe(false);
});

test('cancel from a fresh launcher instance stops the process group → cancelled', async () => {
  const first = new LocalProcessLauncher(path.join(root, 'jobs'));
  const handle = await launch(first, spec('cancel-1', `sleep 30 & echo $! > ${root}/grandchild.pid; wait`));
  const grandchild = await readPidFile(path.join(root, 'grandchild.pid'));
  const second = new LocalProcessLauncher(path.join(root, 'jobs')); // e.g. the worker restarted
  await second.cancel(handle);
  expect(await second.status(handle)).toMatchObject({ state: 'cancelled' });
  expect(alive(grandchild)).toBe(false);
  await second.cancel(handle); // harmless once ended
});

test('worker restart: a fresh launcher re-attaches from the handle and relaunching returns the same job', async () => {
  const marker = path.join(root, 'starts.txt');
  const s = spec('reattach-1', `echo started >> ${marker}; sleep 2`);
  const first = new LocalProcessLauncher(path.join(root, 'jobs'));
  const handle = await launch(first, s);
  const restarted = new LocalProcessLauncher(path.join(root, 'jobs'));
  expect((await restarted.status(handle)).state).toBe('running');
  expect(await restarted.launch(s)).toEqual(handle);
  expect(await waitUntil(restarted, handle, ended)).toMatchObject({ state: 'succeeded' });
  expect(await restarted.launch(s)).toEqual(handle); // still the same job after it ended
  expect(fs.readFileSync(marker, 'utf8').trim().split('\n')).toEqual(['started']);
});

test('a job launched by a worker process that has since exited is followed from its handle', async () => {
  const fixture = path.join(__dirname, 'fixtures', 'launch-then-exit.ts');
  const out = execFileSync(process.execPath, ['--import', 'tsx', fixture, path.join(root, 'jobs'), 'orphan-1', 'sleep 1; echo done >&2; exit 4'], {
    encoding: 'utf8',
  });
  const handle = JSON.parse(out) as JobHandle;
  started.push(handle);
  const launcher = new LocalProcessLauncher(path.join(root, 'jobs'));
  expect((await launcher.status(handle)).state).toBe('running');
  expect(await waitUntil(launcher, handle, ended)).toMatchObject({ state: 'failed', exitCode: 4, message: expect.stringContaining('done') });
});

test('supervisor killed → failed, and the unsupervised runner is stopped', async () => {
  const launcher = new LocalProcessLauncher(path.join(root, 'jobs'));
  const handle = await launch(launcher, spec('lost-1', 'sleep 30'));
  const runnerPid = await readPidFile(path.join(jobDir('lost-1'), 'runner.pid'));
  process.kill(Number(handle.ref), 'SIGKILL');
  const status = await waitUntil(launcher, handle, ended);
  expect(status).toMatchObject({ state: 'failed', message: expect.stringContaining('ended without recording an exit') });
  await new Promise((r) => setTimeout(r, 200));
  expect(alive(runnerPid)).toBe(false);
});

test('launching the same jobId twice at once starts one process', async () => {
  const marker = path.join(root, 'starts.txt');
  const s = spec('twice-1', `echo started >> ${marker}; sleep 1`);
  const [a, b] = await Promise.all([new LocalProcessLauncher(path.join(root, 'jobs')).launch(s), new LocalProcessLauncher(path.join(root, 'jobs')).launch(s)]);
  started.push(a);
  expect(a).toEqual(b);
  await waitUntil(new LocalProcessLauncher(path.join(root, 'jobs')), a, ended);
  expect(fs.readFileSync(marker, 'utf8').trim().split('\n')).toEqual(['started']);
});

test('a command that cannot start → failed with a clear message', async () => {
  const launcher = new LocalProcessLauncher(path.join(root, 'jobs'));
  const handle = await launch(launcher, { ...spec('nocmd-1', ''), command: [path.join(root, 'no-such-runner')] });
  const status = await waitUntil(launcher, handle, ended);
  expect(status.state).toBe('failed');
  expect(status.message).toContain('could not start');
});

test('any jobId (a Temporal workflow id may hold / or ..) gets its own folder inside the state root', async () => {
  const launcher = new LocalProcessLauncher(path.join(root, 'jobs'));
  const handle = await launch(launcher, { ...spec('odd', 'true'), jobId: '../robyn/wf:42' });
  expect(await waitUntil(launcher, handle, ended)).toMatchObject({ state: 'succeeded' });
  expect(fs.readdirSync(path.join(root, 'jobs'))).toEqual([expect.stringMatching(/^job-\.\._robyn_wf_42-[0-9a-f]{12}$/)]);
  expect(fs.existsSync(path.join(root, 'robyn'))).toBe(false);
});
