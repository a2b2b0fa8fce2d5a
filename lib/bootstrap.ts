import type { Warehouse } from '../adapters/warehouse/warehouse';
import { allSources } from '../contracts/sources';
import { bronzeDdl } from '../contracts/validation-sql';
import { syncSourceSettings } from '../contracts/warehouse-sync';
import { renderSqlFile, statements } from './sql/render';

/** Ordered DDL scripts under sql/ that create every table the pipeline writes. */
export const DDL_FILES = [
  'ops/ops_tables.sql',
  'ml/ml_tables.sql',
  'attribution/attribution_tables.sql',
  'cleaning/cleaning_tables.sql',
  'mmm/mmm_tables.sql',
  'silver/ddl/sessions.sql',
  'late-data/late_data_tables.sql',
];

/** Creates the schemas' tables if missing. Idempotent; run at worker start and by tests. */
export async function bootstrapWarehouse(wh: Warehouse): Promise<void> {
  for (const file of DDL_FILES) {
    for (const stmt of statements(renderSqlFile(file, wh.dialect))) await wh.exec(stmt);
  }
  for (const source of allSources()) await wh.exec(bronzeDdl(source));
  await syncSourceSettings(wh, allSources());
}
