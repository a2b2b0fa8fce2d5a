import * as path from 'node:path';
import { ConfigError, type Config } from '../../config/config';
import { type CloudRunExecutionsApi, type CloudRunJobsApi } from './cloudrun/cloud-run-api';
import { CloudRunLauncher } from './cloudrun/cloud-run-launcher';
import { DockerLauncher } from './docker/docker-launcher';
import type { Launcher } from './launcher';
import { LocalProcessLauncher } from './local/local-process-launcher';

export type { JobHandle, JobSpec, JobState, JobStatus, Launcher } from './launcher';
export { localRobynCommand } from './local/robyn-runner-command';

/**
 * The configured launcher (DAG_LAUNCHER = local | docker | cloudrun). Local jobs keep their
 * state under `<dataDir>/jobs/<jobId>/`. Docker and Cloud Run clients are loaded only when chosen.
 */
export function createLauncher(config: Pick<Config, 'launcher' | 'objectStore'>, dataDir: string): Launcher {
  switch (config.launcher.kind) {
    case 'local':
      return new LocalProcessLauncher(path.join(dataDir, 'jobs'));
    case 'docker': {
      // Drivers load lazily, only for the launcher configured (kysely-style: no hard dependency at start).
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const Docker = require('dockerode') as typeof import('dockerode');
      // With the local object store the runner's file:// URIs point into these folders.
      const mounts = config.objectStore.kind === 'local' ? [...new Set([path.resolve(dataDir), path.resolve(config.objectStore.root)])] : [];
      // DOCKER_HOST etc. are honoured by docker-modem.
      return engineRequired(new DockerLauncher(new Docker(), { mounts }), process.env.DOCKER_HOST ?? 'unix:///var/run/docker.sock');
    }
    case 'cloudrun': {
      if (!config.launcher.cloudRunJob) throw new ConfigError('configuration: DAG_CLOUD_RUN_JOB is required when DAG_LAUNCHER=cloudrun');
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const run = require('@google-cloud/run') as typeof import('@google-cloud/run');
      const jobs: CloudRunJobsApi = new run.JobsClient();
      const executions: CloudRunExecutionsApi = new run.ExecutionsClient();
      return new CloudRunLauncher(jobs, executions, config.launcher.cloudRunJob);
    }
  }
}

/**
 * No Docker engine where DOCKER_HOST points (no socket, nothing listening) is a configuration
 * problem, not a transient one: it becomes a ConfigError, which activities never retry.
 */
function engineRequired(launcher: Launcher, where: string): Launcher {
  const check = async <T>(call: () => Promise<T>): Promise<T> => {
    try {
      return await call();
    } catch (err) {
      const code = (err as { code?: string }).code;
      if (code === 'ENOENT' || code === 'ECONNREFUSED' || code === 'EACCES')
        throw new ConfigError(
          `configuration: DAG_LAUNCHER=docker but no Docker engine answers at ${where} (${code}): start one, set DOCKER_HOST, or use DAG_LAUNCHER=local`,
        );
      throw err;
    }
  };
  return {
    kind: launcher.kind,
    launch: (spec) => check(() => launcher.launch(spec)),
    status: (handle) => check(() => launcher.status(handle)),
    cancel: (handle) => check(() => launcher.cancel(handle)),
  };
}
