import type { ActivityDeps } from '../../lib/deps';
import { recordUnmatchedFiles } from '../contracts/unmatched-files';
import { listLandingFiles, type LandingListing } from './landing';
import { loadBronzeFile, type LoadBronzeInput, type LoadBronzeResult } from './load-bronze';

export function createIngestActivities(deps: ActivityDeps) {
  return {
    /** Lists the partition's landing files by source (and records those that match none, for the files_unmatched check). */
    async listLandingFiles(input: { date: string }): Promise<LandingListing> {
      const listing = await listLandingFiles(deps.store, input.date);
      await recordUnmatchedFiles(deps, input.date, listing.ignored);
      return listing;
    },
    /** Contract-validates one landing file into bronze, quarantining bad rows. */
    async loadBronzeFile(input: LoadBronzeInput): Promise<LoadBronzeResult> {
      return loadBronzeFile(deps, input);
    },
  };
}
