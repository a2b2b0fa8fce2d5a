import { proxyActivities, setCurrentDetails } from '@temporalio/workflow';
import { z } from 'zod';
import type { PersonaActivities } from '../activities/personas';
import type { ImportResult } from '../activities/personas/import-vendor';
import { SHORT } from './shared/activity-options';
import { parseInput } from './shared/input';
import { tellStaleReviews } from './retrain-personas';

const { importPersonaModel, reconcilePersonaCandidates } = proxyActivities<PersonaActivities>(SHORT);

export const personaModelImportInput = z
  .object({
    /** The vendor file in the object store (`dag personas import <file>` uploads it to ml/imports/). */
    key: z.string().min(1).max(1024),
    /** The file's name: its extension (.csv / .json) says how to read it. */
    fileName: z.string().min(1).max(255),
    /** Make it active even when another version is active (the first model always is). */
    activate: z.boolean().default(false),
    /** Its unassigned threshold, in its own distance units: required when the file has no scaler. */
    threshold: z.number().positive().finite().optional(),
  })
  .strict();
export type PersonaModelImportInput = z.input<typeof personaModelImportInput>;

/**
 * Imports a vendor persona model through the worker — the one process that opens the warehouse
 * (DuckDB allows one writer), so `dag personas import` works while a worker runs. A bad file, or
 * a threshold that cannot apply to the file's units, fails the run with one line and writes nothing.
 */
export async function PersonaModelImport(rawInput: PersonaModelImportInput): Promise<ImportResult> {
  const input = parseInput(personaModelImportInput, rawInput, 'PersonaModelImport');
  await reconcilePersonaCandidates();
  const result = await importPersonaModel.executeWithOptions({ ...SHORT, summary: `import ${input.fileName}` }, [input]);
  if (result.activated) await tellStaleReviews({ version: result.version, staleCandidates: result.staleCandidates });
  const expected = result.expectedUnassigned;
  setCurrentDetails(
    `${input.fileName} → v${result.version}${result.activated ? ' (active)' : ' (candidate)'}, threshold ${result.threshold}` +
      (expected ? `; ${(expected.share * 100).toFixed(1)} % of ${expected.sampleSize} participants of ${expected.date} would be unassigned` : ''),
  );
  return result;
}
