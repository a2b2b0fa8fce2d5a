import type { JobHandle, JobSpec, JobStatus, Launcher } from '../launcher';
import { type CloudRunExecutionsApi, type CloudRunJobsApi, type Execution, GRPC, grpcCode } from './cloud-run-api';

/** Env var added to every execution so a restarted worker can find it again by jobId. */
export const JOB_ID_ENV = 'DAG_JOB_ID';

/**
 * Runs the runner as an execution of a deployed Cloud Run job (`projects/p/locations/l/jobs/j`,
 * deployed with the runner image and --max-retries=0), overriding env vars, task count and
 * task timeout per run. The execution name is the handle ref. Clients are injected.
 */
export class CloudRunLauncher implements Launcher {
  readonly kind = 'cloudrun' as const;

  constructor(
    private readonly jobs: CloudRunJobsApi,
    private readonly executions: CloudRunExecutionsApi,
    private readonly jobName: string,
  ) {
    if (!/^projects\/[^/]+\/locations\/[^/]+\/jobs\/[^/]+$/.test(jobName)) {
      throw new Error(`Cloud Run job must be projects/<project>/locations/<region>/jobs/<job>, got ${JSON.stringify(jobName)}`);
    }
  }

  async launch(spec: JobSpec): Promise<JobHandle> {
    const existing = await this.findExecution(spec.jobId);
    if (existing?.name) return this.handle(spec.jobId, existing.name);
    const env = { ...spec.env, [JOB_ID_ENV]: spec.jobId };
    const [operation] = await this.jobs.runJob({
      name: this.jobName,
      overrides: {
        containerOverrides: [{ env: Object.entries(env).map(([name, value]) => ({ name, value })) }],
        taskCount: 1,
        timeout: { seconds: spec.timeoutSeconds },
      },
    });
    const name = executionName(operation.metadata) ?? (await this.findExecution(spec.jobId))?.name;
    if (!name) throw new Error(`Cloud Run started ${this.jobName} for ${spec.jobId} but did not name the execution (operation ${operation.name})`);
    return this.handle(spec.jobId, name);
  }

  async status(handle: JobHandle): Promise<JobStatus> {
    let execution: Execution;
    try {
      [execution] = await this.executions.getExecution({ name: handle.ref });
    } catch (err) {
      if (grpcCode(err) === GRPC.NOT_FOUND) return { state: 'failed', message: `execution ${handle.ref} not found (deleted?)` };
      throw err;
    }
    return describeExecution(execution);
  }

  async cancel(handle: JobHandle): Promise<void> {
    try {
      await this.executions.cancelExecution({ name: handle.ref });
    } catch (err) {
      const code = grpcCode(err);
      if (code !== GRPC.NOT_FOUND && code !== GRPC.FAILED_PRECONDITION) throw err; // gone or already finished
    }
  }

  private handle(jobId: string, name: string): JobHandle {
    return { launcher: 'cloudrun', jobId, ref: name };
  }

  /** The execution started for jobId, if any: overrides are recorded in its task template. */
  private async findExecution(jobId: string): Promise<Execution | undefined> {
    const [executions] = await this.executions.listExecutions({ parent: this.jobName });
    return executions.find((e) => e.template?.containers?.some((c) => c.env?.some((v) => v.name === JOB_ID_ENV && v.value === jobId)));
  }
}

export function describeExecution(e: Execution): JobStatus {
  const times = { startedAt: isoTime(e.startTime), finishedAt: isoTime(e.completionTime) };
  if (!e.completionTime) return { state: 'running', startedAt: times.startedAt };
  if ((e.succeededCount ?? 0) >= (e.taskCount || 1)) return { state: 'succeeded', ...times };
  if ((e.cancelledCount ?? 0) > 0) return { state: 'cancelled', ...times, message: 'execution cancelled' };
  const completed = e.conditions?.find((c) => c.type === 'Completed');
  const message = [completed?.message || 'execution failed', e.logUri ? `logs: ${e.logUri}` : ''].filter(Boolean).join('\n');
  // Cloud Run ends a task that outlives the timeout override and says so in the condition message.
  const timedOut = /timed? ?out|timeout|deadline/i.test(completed?.message ?? '');
  return { state: timedOut ? 'timed_out' : 'failed', ...times, message };
}

function executionName(metadata: unknown): string | undefined {
  const name = (metadata as { name?: unknown } | null | undefined)?.name;
  return typeof name === 'string' && name !== '' ? name : undefined;
}

function isoTime(t: Execution['startTime']): string | undefined {
  if (!t?.seconds) return undefined;
  return new Date(Number(t.seconds) * 1000 + Math.round((t.nanos ?? 0) / 1e6)).toISOString();
}
