import { spawn } from 'node:child_process';
import * as path from 'node:path';

export interface DagRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

const DAG = path.resolve(__dirname, '../../bin/dag');

/**
 * Runs the real `dag` command as a child process with exactly `env` (plus PATH and HOME: no
 * inherited DAG_* settings or secrets) and resolves when it exits.
 */
export function runDag(args: string[], env: Record<string, string>): Promise<DagRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [DAG, ...args], {
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}
