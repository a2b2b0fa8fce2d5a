import type Docker from 'dockerode';
import type { JobHandle, JobSpec, JobStatus, Launcher } from '../launcher';
import { readProgress } from '../local/progress-file';
import { demuxDockerLogs } from './docker-logs';

/** Labels are the launcher's only memory: a fresh worker finds and judges a job by them. */
export const LABELS = {
  jobId: 'marketing-dag.job-id',
  deadline: 'marketing-dag.deadline',
  outputUri: 'marketing-dag.output-uri',
} as const;
const STOP_GRACE_SECONDS = 10;
const LOG_TAIL_LINES = 20;

export interface DockerLauncherOptions {
  /** Host folders bind-mounted at the same path, so file:// URIs mean the same inside (e.g. the data dir). */
  mounts?: readonly string[];
}

/**
 * Runs the runner image on a Docker Engine. Containers carry the jobId in a label (re-attach,
 * one container per job) and their deadline (the Engine has no run timeout, so status() stops
 * a container that outlives it and reports timed_out). The client is injected for tests.
 */
export class DockerLauncher implements Launcher {
  readonly kind = 'docker' as const;

  constructor(
    private readonly docker: Docker,
    private readonly options: DockerLauncherOptions = {},
  ) {}

  async launch(spec: JobSpec): Promise<JobHandle> {
    const existing = await this.findContainer(spec.jobId);
    if (existing) {
      if (existing.State === 'created') await this.docker.getContainer(existing.Id).start(); // crashed between create and start
      return this.handle(spec.jobId, existing.Id);
    }
    const create = () =>
      this.docker.createContainer({
        name: containerName(spec.jobId),
        Image: spec.image,
        Env: Object.entries(spec.env).map(([k, v]) => `${k}=${v}`),
        Labels: {
          [LABELS.jobId]: spec.jobId,
          [LABELS.deadline]: new Date(Date.now() + spec.timeoutSeconds * 1000).toISOString(),
          ...(spec.env.DAG_OUTPUT_URI ? { [LABELS.outputUri]: spec.env.DAG_OUTPUT_URI } : {}),
        },
        StopTimeout: STOP_GRACE_SECONDS,
        // Outputs written into a bind-mounted host folder should belong to the worker's user.
        ...(this.options.mounts?.length && process.getuid ? { User: `${process.getuid()}:${process.getgid?.() ?? process.getuid()}` } : {}),
        HostConfig: { Binds: (this.options.mounts ?? []).map((dir) => `${dir}:${dir}`), AutoRemove: false },
      });
    let container: Docker.Container;
    try {
      container = await create();
    } catch (err) {
      if (statusCode(err) === 409) return this.reattachAfterConflict(spec); // a concurrent launch made it
      if (statusCode(err) !== 404) throw err;
      await this.pull(spec.image); // 404 = image not on this host yet
      container = await create();
    }
    await container.start();
    return this.handle(spec.jobId, container.id);
  }

  async status(handle: JobHandle): Promise<JobStatus> {
    let info: Docker.ContainerInspectInfo;
    try {
      info = await this.docker.getContainer(handle.ref).inspect();
    } catch (err) {
      if (statusCode(err) === 404) return { state: 'cancelled', message: `container ${handle.ref} no longer exists (cancelled or removed)` };
      throw err;
    }
    const labels = info.Config.Labels ?? {};
    const s = info.State;
    const base = { startedAt: validDate(s.StartedAt), progress: readProgress(labels[LABELS.outputUri]) };
    const deadline = labels[LABELS.deadline] ? Date.parse(labels[LABELS.deadline]) : Infinity;
    if (s.Running || s.Status === 'created' || s.Restarting || s.Paused) {
      if (Date.now() <= deadline) return { state: 'running', ...base };
      await this.docker.getContainer(handle.ref).stop({ t: STOP_GRACE_SECONDS }).catch(ignore304);
      return { state: 'timed_out', ...base, message: `timed out at ${labels[LABELS.deadline]}; container stopped` };
    }
    const ended = { ...base, exitCode: s.ExitCode, finishedAt: validDate(s.FinishedAt) };
    if (s.ExitCode === 0) return { state: 'succeeded', ...ended };
    if (Date.parse(s.FinishedAt) >= deadline) return { state: 'timed_out', ...ended, message: `timed out at ${labels[LABELS.deadline]}` };
    const why = s.OOMKilled ? 'container ran out of memory' : `runner exited with code ${s.ExitCode}`;
    return { state: 'failed', ...ended, message: [why, s.Error, await this.stderrTail(handle.ref)].filter(Boolean).join('\n') };
  }

  async cancel(handle: JobHandle): Promise<void> {
    const container = this.docker.getContainer(handle.ref);
    try {
      await container.stop({ t: STOP_GRACE_SECONDS }).catch(ignore304);
      await container.remove({ force: true });
    } catch (err) {
      if (statusCode(err) !== 404) throw err; // already gone: nothing to cancel
    }
  }

  private async reattachAfterConflict(spec: JobSpec): Promise<JobHandle> {
    const existing = await this.findContainer(spec.jobId);
    if (!existing) throw new Error(`container name ${containerName(spec.jobId)} is taken by a container without job label ${spec.jobId}`);
    return this.handle(spec.jobId, existing.Id);
  }

  private handle(jobId: string, id: string): JobHandle {
    return { launcher: 'docker', jobId, ref: id };
  }

  private async findContainer(jobId: string): Promise<Docker.ContainerInfo | undefined> {
    const found = await this.docker.listContainers({ all: true, filters: { label: [`${LABELS.jobId}=${jobId}`] } });
    return found[0];
  }

  private async pull(image: string): Promise<void> {
    const stream = await this.docker.pull(image);
    await new Promise<void>((resolve, reject) => this.docker.modem.followProgress(stream, (err: Error | null) => (err ? reject(err) : resolve())));
  }

  private async stderrTail(id: string): Promise<string> {
    try {
      const raw = (await this.docker.getContainer(id).logs({ stdout: false, stderr: true, tail: LOG_TAIL_LINES, follow: false })) as unknown as Buffer;
      return demuxDockerLogs(raw).trim();
    } catch {
      return ''; // logs are a courtesy; the exit code already tells the story
    }
  }
}

/** Docker names allow [a-zA-Z0-9][a-zA-Z0-9_.-]; a jobId outside that is mapped, the label keeps it exact. */
export function containerName(jobId: string): string {
  return `marketing-dag-${jobId.replace(/[^a-zA-Z0-9_.-]/g, '-')}`.slice(0, 200);
}

function statusCode(err: unknown): number | undefined {
  return (err as { statusCode?: number }).statusCode;
}

function ignore304(err: unknown): void {
  if (statusCode(err) !== 304) throw err; // 304 = already stopped
}

function validDate(s: string | undefined): string | undefined {
  return s && !s.startsWith('0001-') ? s : undefined; // the Engine's zero time means "not yet"
}
