import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

export const PROJECT_ROOT = path.resolve(__dirname, '..');
const LOCAL_CLI = path.join(PROJECT_ROOT, '.tools', 'bin', 'temporal');

/**
 * Finds the Temporal CLI (which contains the dev server and the Web UI):
 * TEMPORAL_CLI_PATH → project-local .tools/bin/temporal → `temporal` on PATH → build it once
 * with Go into .tools/bin (scripts/setup-tools.sh). Returns undefined when none of these
 * works; callers then fall back to the SDK's own download of the dev server.
 */
export function resolveTemporalCli(explicit?: string, opts: { build?: boolean } = { build: true }): string | undefined {
  if (explicit) {
    if (!fs.existsSync(explicit)) throw new Error(`TEMPORAL_CLI_PATH=${explicit} does not exist`);
    return explicit;
  }
  if (fs.existsSync(LOCAL_CLI)) return LOCAL_CLI;
  const onPath = spawnSync('sh', ['-c', 'command -v temporal'], { encoding: 'utf8' });
  if (onPath.status === 0 && onPath.stdout.trim()) return onPath.stdout.trim();
  if (opts.build && spawnSync('sh', ['-c', 'command -v go'], { encoding: 'utf8' }).status === 0) {
    process.stderr.write('Building the Temporal CLI once into .tools/bin (a few minutes)…\n');
    execFileSync('bash', [path.join(PROJECT_ROOT, 'scripts', 'setup-tools.sh'), 'temporal'], { stdio: 'inherit' });
    if (fs.existsSync(LOCAL_CLI)) return LOCAL_CLI;
  }
  return undefined;
}
