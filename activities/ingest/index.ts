import type { ActivityDeps } from '../../lib/deps';
import { listLandingFiles, type LandingListing } from './landing';
import { loadBronzeFile, type LoadBronzeInput, type LoadBronzeResult } from './load-bronze';

export function createIngestActivities(deps: ActivityDeps) {
  return {
    /** Lists the partition's landing files by source. */
    async listLandingFiles(input: { date: string }): Promise<LandingListing> {
      return listLandingFiles(deps.store, input.date);
    },
    /** Contract-validates one landing file into bronze, quarantining bad rows. */
    async loadBronzeFile(input: LoadBronzeInput): Promise<LoadBronzeResult> {
      return loadBronzeFile(deps, input);
    },
  };
}
