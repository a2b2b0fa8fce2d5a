import type { ActivityDeps } from '../../lib/deps';
import { recordUnmatchedFiles } from '../contracts/unmatched-files';
import { describeBronzePartition, reconcileLanding, type BronzeHeld, type DeliveryPlan, type ReconcileInput } from './delivery';
import { listLandingFiles, type LandingListing } from './landing';
import { loadBronzeFile, type LoadBronzeInput, type LoadBronzeResult } from './load-bronze';

export function createIngestActivities(deps: ActivityDeps) {
  return {
    /**
     * Lists the partition's landing files by source (and records those that match none, for the
     * files_unmatched check). Runs started before reconcileLanding existed still call it.
     */
    async listLandingFiles(input: { date: string }): Promise<LandingListing> {
      const listing = await listLandingFiles(deps.store, input.date);
      await recordUnmatchedFiles(deps, input.date, listing.ignored);
      return listing;
    },
    /** Lists the partition's current delivery and retracts what was withdrawn from it (README "The current delivery"). */
    async reconcileLanding(input: ReconcileInput): Promise<DeliveryPlan> {
      return reconcileLanding(deps, input);
    },
    /** Contract-validates one landing file into bronze, quarantining bad rows. */
    async loadBronzeFile(input: LoadBronzeInput): Promise<LoadBronzeResult> {
      return loadBronzeFile(deps, input);
    },
    /** What the partition holds in bronze after its loads (rows, quarantined rows, failed files). */
    async describeBronzePartition(input: { date: string }): Promise<BronzeHeld> {
      return describeBronzePartition(deps, input);
    },
  };
}
