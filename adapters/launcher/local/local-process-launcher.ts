import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { JobHandle, JobSpec, JobStatus, Launcher } from '../launcher';
import { type ExitRecord, type LaunchRecord, LocalJobState, isSupervisorAlive } from './local-job-state';
import { readProgress } from './progress-file';

const WRAPPER = path.join(__dirname, 'job-wrapper.js');
/** How long cancel() waits for the supervisor to record the exit before killing it itself. */
const CANCEL_WAIT_MS = 8000;
const CLAIM_WAIT_MS = 5000;
/**
 * The only worker env vars a runner inherits (plus JobSpec.env), as a container would get only
 * its own env: the worker's secrets (API keys, warehouse passwords) must not leak into jobs.
 */
const INHERITED_ENV = [
  'PATH',
  'HOME',
  'USER',
  'LANG',
  'LC_ALL',
  'TZ',
  'TMPDIR',
  'R_HOME',
  'R_LIBS',
  'R_LIBS_USER',
  'LD_LIBRARY_PATH',
  'GOOGLE_APPLICATION_CREDENTIALS',
];

/**
 * The embedded launcher: runs the runner command as a detached child process under a tiny
 * supervisor (job-wrapper.js) that records pid, exit code and stderr in `<stateRoot>/<jobId>/`.
 * Everything is read back from that folder, so a launcher created after a worker restart can
 * follow or cancel a job from its JobHandle alone, and launching a jobId again re-attaches.
 */
export class LocalProcessLauncher implements Launcher {
  readonly kind = 'local' as const;

  /** @param stateRoot folder holding one state folder per job, e.g. `<dataDir>/jobs` */
  constructor(private readonly stateRoot: string) {}

  async launch(spec: JobSpec): Promise<JobHandle> {
    if (!spec.command?.length) throw new Error('LocalProcessLauncher needs spec.command (the runner entrypoint)');
    if (!(spec.timeoutSeconds > 0)) throw new Error('spec.timeoutSeconds must be > 0');
    const state = new LocalJobState(this.stateRoot, spec.jobId);
    if (!state.claim()) return this.existingHandle(state);
    const record: LaunchRecord = {
      jobId: spec.jobId,
      command: [...spec.command],
      timeoutSeconds: spec.timeoutSeconds,
      startedAt: new Date().toISOString(),
      outputUri: spec.env.DAG_OUTPUT_URI,
    };
    state.writeJson('launch.json', record);
    const [command, ...args] = spec.command;
    const wrapper = spawn(process.execPath, [WRAPPER, state.dir, String(spec.timeoutSeconds), command, ...args], {
      detached: true, // own session: survives this worker, and can be signalled as a group
      stdio: 'ignore',
      env: { ...inheritedEnv(), ...spec.env },
    });
    wrapper.unref();
    if (!wrapper.pid) throw new Error(`could not start the job supervisor for ${spec.jobId}`);
    fs.writeFileSync(state.file('wrapper.pid'), String(wrapper.pid));
    return { launcher: 'local', jobId: spec.jobId, ref: String(wrapper.pid) };
  }

  async status(handle: JobHandle): Promise<JobStatus> {
    const state = this.stateOf(handle);
    const launch = state.readJson<LaunchRecord>('launch.json');
    if (!launch) return { state: 'failed', message: `no local job ${handle.jobId} under ${this.stateRoot}` };
    const base = { startedAt: launch.startedAt, progress: readProgress(launch.outputUri) };
    let exit = state.readJson<ExitRecord>('exit.json');
    if (!exit && isSupervisorAlive(Number(handle.ref), state)) return { state: 'running', ...base };
    exit ??= state.readJson<ExitRecord>('exit.json'); // it may have finished between the two reads
    if (!exit) {
      // Nobody will record this runner's exit any more: stop it rather than leave it unsupervised.
      const runner = state.readPid('runner.pid');
      if (runner) signal(-runner, 'SIGKILL');
      const cancelled = state.has('cancel');
      return {
        state: cancelled ? 'cancelled' : 'failed',
        message: `job supervisor (pid ${handle.ref}) ended without recording an exit${cancelled ? ' after cancel' : ''}\n${state.stderrTail()}`.trim(),
        ...base,
      };
    }
    return { ...base, ...describeExit(exit, state) };
  }

  async cancel(handle: JobHandle): Promise<void> {
    const state = this.stateOf(handle);
    if (state.has('exit.json') || !state.has('launch.json')) return;
    fs.writeFileSync(state.file('cancel'), new Date().toISOString());
    const supervisor = Number(handle.ref);
    if (isSupervisorAlive(supervisor, state)) {
      signal(supervisor, 'SIGTERM'); // the supervisor stops the runner's group and records "cancelled"
      const deadline = Date.now() + CANCEL_WAIT_MS;
      while (Date.now() < deadline && !state.has('exit.json')) await sleep(100);
      if (state.has('exit.json')) return;
      signal(supervisor, 'SIGKILL');
    }
    const runner = state.readPid('runner.pid');
    if (runner) signal(-runner, 'SIGKILL');
    if (!state.has('exit.json')) {
      const exit: ExitRecord = { exitCode: null, signal: 'SIGKILL', reason: 'cancelled', finishedAt: new Date().toISOString() };
      state.writeJson('exit.json', exit);
    }
  }

  private stateOf(handle: JobHandle): LocalJobState {
    if (handle.launcher !== 'local') throw new Error(`LocalProcessLauncher cannot follow a ${handle.launcher} job`);
    return new LocalJobState(this.stateRoot, handle.jobId);
  }

  /** The job was launched before (maybe by a worker that crashed): hand back its handle. */
  private async existingHandle(state: LocalJobState): Promise<JobHandle> {
    const deadline = Date.now() + CLAIM_WAIT_MS;
    for (;;) {
      const pid = state.readPid('wrapper.pid');
      if (pid) return { launcher: 'local', jobId: state.jobId, ref: String(pid) };
      if (Date.now() > deadline) throw new Error(`job ${state.jobId} has a state folder but no process (${state.dir}); remove it to relaunch`);
      await sleep(50); // another launch() of the same jobId is between claim() and spawn()
    }
  }
}

function describeExit(exit: ExitRecord, state: LocalJobState): JobStatus {
  const common = { exitCode: exit.exitCode ?? undefined, finishedAt: exit.finishedAt };
  const tail = state.stderrTail();
  if (exit.reason === 'timed_out') {
    const launch = state.readJson<LaunchRecord>('launch.json');
    return { state: 'timed_out', ...common, message: `timed out after ${launch?.timeoutSeconds}s; runner stopped\n${tail}`.trim() };
  }
  if (exit.reason === 'cancelled') return { state: 'cancelled', ...common, message: 'cancelled' };
  if (exit.exitCode === 0) return { state: 'succeeded', ...common };
  const how = exit.error ?? (exit.signal ? `runner was killed by ${exit.signal}` : `runner exited with code ${exit.exitCode}`);
  return { state: 'failed', ...common, message: `${how}\n${tail}`.trim() };
}

function inheritedEnv(): Record<string, string> {
  return Object.fromEntries(INHERITED_ENV.flatMap((k) => (process.env[k] === undefined ? [] : [[k, process.env[k] as string]])));
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // already gone
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
