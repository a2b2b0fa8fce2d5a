import type { Warehouse } from '../../adapters/warehouse/warehouse';
import { renderSqlFile, statements } from '../../lib/sql/render';

/** Creates mmm.ad_spend, mmm.runs and mmm.channel_results when missing (idempotent). */
export async function ensureMmmTables(wh: Warehouse): Promise<void> {
  for (const stmt of statements(renderSqlFile('mmm/mmm_tables.sql', wh.dialect))) await wh.exec(stmt);
}

/** True when `schema.table` exists (gold tables appear only after the first nightly build). */
export async function tableExists(wh: Warehouse, schema: string, table: string): Promise<boolean> {
  const rows = await wh.query<{ n: number }>(
    `select count(*) as n from information_schema.tables where lower(table_schema) = $schema and lower(table_name) = $table`,
    { schema, table },
  );
  return Number(rows[0]?.n ?? 0) > 0;
}
