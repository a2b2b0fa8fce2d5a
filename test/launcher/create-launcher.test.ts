import * as os from 'node:os';
import * as path from 'node:path';
import { createLauncher } from '../../adapters/launcher';
import { loadConfig } from '../../config/config';

const dataDir = path.join(os.tmpdir(), 'create-launcher-test');
const configFor = (env: Record<string, string>) => loadConfig({ DAG_DATA_DIR: dataDir, ...env }, '/');

test('the local process launcher is the zero-configuration default', () => {
  expect(createLauncher(configFor({}), dataDir).kind).toBe('local');
});

test('DAG_LAUNCHER picks Docker or Cloud Run; Cloud Run needs its job name', () => {
  expect(createLauncher(configFor({ DAG_LAUNCHER: 'docker' }), dataDir).kind).toBe('docker');
  expect(() => createLauncher(configFor({ DAG_LAUNCHER: 'cloudrun' }), dataDir)).toThrow('DAG_CLOUD_RUN_JOB is required');
  // Building a real Cloud Run client is left out: google-auth would probe the GCE metadata
  // server (network). The compiler checks the real clients against the launcher's API subset.
});
