import type { ActivityDeps } from '../lib/deps';
import { createGenerateActivities } from './generate';
import { createIngestActivities } from './ingest';

/** Every activity the worker registers, built from the dependencies created at worker start. */
export function createActivities(deps: ActivityDeps) {
  return {
    ...createGenerateActivities(deps),
    ...createIngestActivities(deps),
  };
}

export type Activities = ReturnType<typeof createActivities>;
