import type { ActivityDeps } from '../../lib/deps';
import type { GenerateManifest, GenerateOptions } from '../../generator/demo-data';
import { generateDemoData } from './generate-demo-data';

export function createGenerateActivities(deps: ActivityDeps) {
  return {
    /** Writes one day of deterministic demo data into the landing area. */
    async generateDemoData(input: GenerateOptions): Promise<GenerateManifest> {
      return generateDemoData(deps, input);
    },
  };
}
