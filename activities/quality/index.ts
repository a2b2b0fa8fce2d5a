import type { ActivityDeps } from '../../lib/deps';
import { runChecks, type ChecksOutcome, type RunChecksInput } from './run-checks';

export function createQualityActivities(deps: ActivityDeps) {
  return {
    /** Evaluates the stage's quality checks and records them in ops.dq_results. */
    async runQualityChecks(input: RunChecksInput): Promise<ChecksOutcome> {
      return runChecks(deps, input);
    },
  };
}
