import * as path from 'node:path';
import type { BundleOptions } from '@temporalio/worker';

const DEAD_ATTEMPT_MODULE = path.resolve(__dirname, '../../workflows/shared/dead-attempt');
const FAST = path.resolve(__dirname, 'dead-attempt-fast.ts');

/**
 * The workflow bundle the tests run: the product's workflows, with the dead-attempt timeouts
 * (workflows/shared/dead-attempt.ts) swapped for test/support/dead-attempt-fast.ts, so tests that
 * kill a worker wait seconds for Temporal's retry instead of minutes. Nothing else differs; the
 * replay test replays the captured histories against the unmodified bundle.
 */
export const fastDeadAttempts: BundleOptions['webpackConfigHook'] = (config) => {
  // enhanced-resolve matches aliases against the joined absolute request, so every relative
  // import of the module ('./dead-attempt', '../shared/dead-attempt') is redirected.
  const alias = (config.resolve ??= {}).alias;
  config.resolve.alias = { ...(alias && !Array.isArray(alias) ? alias : {}), [DEAD_ATTEMPT_MODULE]: FAST };
  return config;
};
