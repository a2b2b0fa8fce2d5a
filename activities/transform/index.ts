import type { ActivityDeps } from '../../lib/deps';
import { discoverModels, planWaves, type Layer } from '../../lib/sql/models';
import { buildModel, type BuildModelInput, type BuildModelResult } from './build-model';
import { dropStaging, publishGold, type PublishGoldResult } from './publish-gold';

export interface ModelPlan {
  layer: Layer;
  /** Models grouped so that each wave depends only on earlier waves. */
  waves: { name: string; dependsOn: string[] }[][];
}

export function createTransformActivities(deps: ActivityDeps) {
  return {
    /** The layer's models in dependency order, derived from the SQL files. */
    async planModels(input: { layer: Layer }): Promise<ModelPlan> {
      return { layer: input.layer, waves: planWaves(discoverModels(input.layer)).map((w) => w.map((m) => ({ name: m.name, dependsOn: m.dependsOn }))) };
    },
    /** Builds one SQL model for one partition (gold into staging). */
    async buildModel(input: BuildModelInput): Promise<BuildModelResult> {
      return buildModel(deps, input);
    },
    /** Atomically swaps the partition's staged gold into `gold`. */
    async publishGold(input: { date: string }): Promise<PublishGoldResult> {
      return publishGold(deps, input);
    },
    /** Discards the partition's staged gold (checks blocked it). */
    async discardStagedGold(input: { date: string }): Promise<void> {
      await dropStaging(deps, input.date);
    },
  };
}
