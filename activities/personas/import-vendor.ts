import * as fs from 'node:fs';
import type { ActivityDeps } from '../../lib/deps';
import type { Warehouse } from '../../adapters/warehouse/warehouse';
import { renderSqlFile, statements } from '../../lib/sql/render';
import { parseVendorFile } from '../../personas/vendor-file';
import type { PersonaModel } from '../../personas/model';
import { registerModel } from './registry';

/** DDL of the ml schema's persona tables (to be listed in lib/bootstrap.ts DDL_FILES). */
export const PERSONA_DDL_FILES = ['ml/ml_tables.sql'];

export async function bootstrapPersonaTables(wh: Warehouse): Promise<void> {
  for (const file of PERSONA_DDL_FILES) for (const stmt of statements(renderSqlFile(file, wh.dialect))) await wh.exec(stmt);
}

/**
 * Imports a vendor file (CSV or JSON, see personas/vendor-file.ts) as the next model version.
 * It becomes active when no model is active yet, or when `activate` is set; otherwise it waits
 * as a candidate. A bad file throws VendorFileError before anything is written.
 */
export async function importVendorFile(
  deps: ActivityDeps,
  file: string,
  opts: { activate?: boolean } = {},
): Promise<{ model: PersonaModel; activated: boolean }> {
  const draft = parseVendorFile(file, fs.readFileSync(file, 'utf8'));
  await bootstrapPersonaTables(deps.warehouse);
  const [{ n }] = await deps.warehouse.query<{ n: number }>(`select count(*) as n from ml.persona_models where status = 'active'`);
  const activate = opts.activate || Number(n) === 0;
  const model = await registerModel(deps, draft, { activate });
  deps.logger.info('persona model imported', { version: model.version, personas: model.personas.length, source: model.source, activated: activate });
  return { model, activated: activate };
}
