import { secretValues } from '../config/config';
import type { ActivityDeps } from '../lib/deps';
import { failFastOnPermanentErrors } from '../lib/errors';
import { scrubActivities } from '../lib/scrub';
import { createGenerateActivities } from './generate';
import { createAttributionActivities } from './attribution';
import { createCleaningActivities } from './cleaning';
import { createConsoleActivities } from './console';
import { createIngestActivities } from './ingest';
import { createMmmActivities } from './mmm';
import { createNotifyActivities } from './notify';
import { createPersonaActivities } from './personas';
import { createQualityActivities } from './quality';
import { createRunActivities } from './runs';
import { createTransformActivities } from './transform';

/**
 * Every activity the worker registers, built from the dependencies created at worker start.
 * No result or error carries a configured secret into history (an upstream may echo a key).
 */
export function createActivities(deps: ActivityDeps) {
  const activities = failFastOnPermanentErrors({
    ...createGenerateActivities(deps),
    ...createIngestActivities(deps),
    ...createTransformActivities(deps),
    ...createQualityActivities(deps),
    ...createRunActivities(deps),
    ...createPersonaActivities(deps),
    ...createAttributionActivities(deps),
    ...createCleaningActivities(deps),
    ...createMmmActivities(deps),
    ...createNotifyActivities(deps),
    ...createConsoleActivities(deps),
  });
  return scrubActivities(activities, secretValues(deps.config));
}

export type Activities = ReturnType<typeof createActivities>;
