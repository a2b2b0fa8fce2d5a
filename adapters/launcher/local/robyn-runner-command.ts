import * as path from 'node:path';

const PROJECT_ROOT = path.resolve(__dirname, '..', '..', '..');

/**
 * The Robyn runner as a local command (JobSpec.command for the local launcher): the project
 * venv's Python (`bash scripts/setup-tools.sh robyn`) on infra/robyn/runner.py. Containers
 * ignore JobSpec.command and use the image's entrypoint, which runs the same file.
 */
export function localRobynCommand(projectRoot: string = PROJECT_ROOT): string[] {
  return [path.join(projectRoot, '.venv-robyn', 'bin', 'python'), path.join(projectRoot, 'infra', 'robyn', 'runner.py')];
}
