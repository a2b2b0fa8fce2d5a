import type { Session } from '../../adapters/warehouse/warehouse';
import type { ActivityDeps } from '../../lib/deps';
import { renderSqlFile, statements } from '../../lib/sql/render';
import { nowUtc } from '../ingest/load-bronze';
import type { CompileContext } from '../../cleaning/compiler';
import { flagDefinitions } from '../../cleaning/flags';
import { modelParams } from '../transform/build-model';
import { realColumns, type TableMap } from './tables';

export async function compileContext(
  deps: ActivityDeps,
  s: Session,
  tables: TableMap,
  p: { date: string; workflowId: string; version: number },
): Promise<CompileContext> {
  return {
    dialect: deps.warehouse.dialect,
    tables,
    columns: await realColumns(s, tables),
    flags: flagDefinitions(),
    params: {
      partition_date: p.date,
      workflow_id: p.workflowId,
      plan_version: p.version,
      now: nowUtc(),
      session_lookback_start: String(modelParams(deps, '$session_lookback_start', p.date).session_lookback_start),
    },
  };
}

/** ops.cleaning_audit and ops.cleaning_quarantine (sql/cleaning/cleaning_tables.sql), idempotently. */
export async function ensureCleaningTables(deps: ActivityDeps): Promise<void> {
  for (const stmt of statements(renderSqlFile('cleaning/cleaning_tables.sql', deps.warehouse.dialect))) await deps.warehouse.exec(stmt);
}
