import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * The files a local job keeps in its state folder `<root>/<folderName(jobId)>/`. The only shared
 * memory between the detached supervisor (job-wrapper.js) and any launcher instance, in this
 * process or in a worker started after a crash.
 *   launch.json   written by the launcher before the supervisor starts
 *   wrapper.pid   the supervisor's pid (= the JobHandle ref)
 *   runner.pid    the runner's pid, leader of its own process group
 *   exit.json     the outcome, written once by the supervisor (or by cancel() if it is gone)
 *   cancel        marker: cancel() was asked for
 *   stdout.log / stderr.log
 */
export interface LaunchRecord {
  jobId: string;
  command: string[];
  timeoutSeconds: number;
  startedAt: string;
  outputUri?: string;
}

export interface ExitRecord {
  exitCode: number | null;
  signal: string | null;
  reason: 'timed_out' | 'cancelled' | null;
  error?: string;
  finishedAt: string;
}

const SAFE_FOLDER = /^[A-Za-z0-9][A-Za-z0-9_-]*(\.[A-Za-z0-9_-]+)*$/;
const STDERR_TAIL_LINES = 20;
const STDERR_TAIL_BYTES = 64 * 1024;

/** A jobId as a folder name: itself when safe, else a readable slug plus a hash (Temporal ids may hold `/`, `:`). */
export function folderName(jobId: string): string {
  if (SAFE_FOLDER.test(jobId) && jobId.length <= 120) return jobId;
  const hash = createHash('sha256').update(jobId).digest('hex').slice(0, 12);
  return `job-${jobId.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 100)}-${hash}`;
}

export class LocalJobState {
  readonly dir: string;

  constructor(
    root: string,
    readonly jobId: string,
  ) {
    if (jobId === '') throw new Error('jobId must not be empty');
    this.dir = path.join(path.resolve(root), folderName(jobId));
  }

  file(name: string): string {
    return path.join(this.dir, name);
  }

  /** Creates the folder; false when it already existed (the job was launched before). */
  claim(): boolean {
    fs.mkdirSync(path.dirname(this.dir), { recursive: true });
    try {
      fs.mkdirSync(this.dir);
      return true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw err;
    }
  }

  readJson<T>(name: string): T | undefined {
    try {
      return JSON.parse(fs.readFileSync(this.file(name), 'utf8')) as T;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
  }

  writeJson(name: string, value: unknown): void {
    const tmp = this.file(`${name}.tmp-${process.pid}`);
    fs.writeFileSync(tmp, JSON.stringify(value));
    fs.renameSync(tmp, this.file(name));
  }

  readPid(name: 'wrapper.pid' | 'runner.pid'): number | undefined {
    try {
      const pid = Number(fs.readFileSync(this.file(name), 'utf8').trim());
      return Number.isInteger(pid) && pid > 0 ? pid : undefined;
    } catch {
      return undefined;
    }
  }

  has(name: string): boolean {
    return fs.existsSync(this.file(name));
  }

  /** Last lines of the runner's stderr: the failure message a follower shows. */
  stderrTail(): string {
    let text: string;
    try {
      const fd = fs.openSync(this.file('stderr.log'), 'r');
      try {
        const size = fs.fstatSync(fd).size;
        const start = Math.max(0, size - STDERR_TAIL_BYTES);
        const buf = Buffer.alloc(size - start);
        fs.readSync(fd, buf, 0, buf.length, start);
        text = buf.toString('utf8');
      } finally {
        fs.closeSync(fd);
      }
    } catch {
      return '';
    }
    return text
      .split('\n')
      .filter((l) => l.trim() !== '')
      .slice(-STDERR_TAIL_LINES)
      .join('\n');
  }
}

/** True when `pid` is alive and is this job's supervisor (guards against pid reuse on Linux). */
export function isSupervisorAlive(pid: number, state: LocalJobState): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
  try {
    // A zombie's cmdline is empty, so an exited but unreaped supervisor counts as gone too.
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(state.dir);
  } catch {
    return true; // no /proc (macOS): trust kill(0)
  }
}
