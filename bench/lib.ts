import { execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export const OUT = path.resolve(__dirname, 'out');
fs.mkdirSync(OUT, { recursive: true });

/** Peak resident set size of this process so far (Linux VmHWM), in MB. */
export function peakRssMb(): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync('/proc/self/status', 'utf8'));
  return m ? Math.round(Number(m[1]) / 1024) : Math.round(process.memoryUsage().rss / 1048576);
}

export function machine(): string {
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  return `${os.cpus().length} × ${cpu}, ${Math.round(os.totalmem() / 1073741824)} GB RAM, Node ${process.version}, ${os.platform()} ${os.release()}`;
}

export interface Measured<T = unknown> {
  wallMs: number;
  peakRssMb: number;
  value: T;
}

/**
 * Runs `bench/<script>` in a fresh Node process (so each variant's peak RSS is its own) and
 * returns the JSON it prints on its last stdout line.
 */
export async function runIsolated<T>(script: string, args: string[]): Promise<T> {
  const child = spawn(process.execPath, ['--require', require.resolve('tsx/cjs'), path.join(__dirname, script), ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  const code = await new Promise<number | null>((r) => child.on('exit', r));
  if (code !== 0) throw new Error(`${script} ${args.join(' ')} exited ${code}`);
  return JSON.parse(out.trim().split('\n').pop()!) as T;
}

export const fmtInt = (n: number) => Math.round(n).toLocaleString('en-US');
export const fmtS = (ms: number) => (ms / 1000).toFixed(2);

export function gitRev(): string {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
}
