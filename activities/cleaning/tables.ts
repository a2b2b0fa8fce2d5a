import type { Session, Warehouse } from '../../adapters/warehouse/warehouse';
import { assertIdentifier } from '../../adapters/warehouse/warehouse';
import type { ActivityDeps } from '../../lib/deps';
import { compactDate } from '../../lib/dates';
import { discoverModels } from '../../lib/sql/models';
import { renderSqlFile } from '../../lib/sql/render';
import { modelParams } from '../transform/build-model';
import { configuredChecks } from '../quality/run-checks';
import { evaluate, type CheckResult } from '../quality/checks';
import { CLEANABLE_TABLES, type CleanableTable } from '../../cleaning/vocabulary';

export type TableMap = Record<CleanableTable, string>;

export const silverTables = (): TableMap => Object.fromEntries(CLEANABLE_TABLES.map((t) => [t, `silver.${t}`])) as TableMap;

/** The dry run's copy of one partition of the cleanable silver tables. */
export const stagingTables = (date: string): TableMap =>
  Object.fromEntries(CLEANABLE_TABLES.map((t) => [t, `staging.cleaning_${t}__${compactDate(date)}`])) as TableMap;

/** Points our own model/check SQL at other physical tables (the staging copy). */
export function redirectSilver(sql: string, tables: TableMap): string {
  return sql.replace(/\bsilver\.(events|sessions|orders|order_items)\b/g, (_m, t: CleanableTable) => assertIdentifier(tables[t]));
}

/** The real columns of each table (information_schema): name → data type. */
export async function realColumns(wh: Session, tables: TableMap): Promise<Record<CleanableTable, Record<string, string>>> {
  const out = {} as Record<CleanableTable, Record<string, string>>;
  for (const t of CLEANABLE_TABLES) {
    const [schema, name] = tables[t].split('.');
    const rows = await wh.query<{ column_name: string; data_type: string }>(
      `select column_name, data_type from information_schema.columns where lower(table_schema) = $schema and lower(table_name) = $name order by ordinal_position`,
      { schema, name },
    );
    out[t] = Object.fromEntries(rows.map((r) => [r.column_name.toLowerCase(), r.data_type.toUpperCase()]));
  }
  return out;
}

/**
 * Copies the partition's cleanable silver rows for a dry run. Sessions also bring the earlier
 * rows the checks and the sessions model read: the lookback sessions of the day's ordering clients
 * (orphan_purchases) and the day before's sessions (a visit continuing across midnight). Plans only
 * touch the partition's own rows.
 */
export async function copyPartition(deps: ActivityDeps, date: string, to: TableMap): Promise<void> {
  const wh = deps.warehouse;
  for (const t of CLEANABLE_TABLES) {
    const sql =
      t === 'sessions'
        ? `create or replace table ${to[t]} as
           select * from silver.sessions where partition_date = cast($partition_date as date)
           union all
           select * from silver.sessions as s
           where s.partition_date = cast($partition_date as date) - 1
              or (s.partition_date between cast($session_lookback_start as date) and cast($partition_date as date) - 2
                  and s.client_id in (select client_id from silver.orders where partition_date = cast($partition_date as date)))`
        : `create or replace table ${to[t]} as select * from silver.${t} where partition_date = cast($partition_date as date)`;
    await wh.exec(sql, modelParams(deps, sql, date));
  }
}

export async function dropPartitionCopy(wh: Warehouse, date: string): Promise<void> {
  for (const t of Object.values(stagingTables(date))) await wh.exec(`drop table if exists ${t}`);
}

export async function rowCounts(s: Session, tables: TableMap, date: string): Promise<Record<CleanableTable, number>> {
  const out = {} as Record<CleanableTable, number>;
  for (const t of CLEANABLE_TABLES) {
    out[t] = Number(
      (await s.query<{ n: number }>(`select count(*) as n from ${tables[t]} where partition_date = cast($partition_date as date)`, { partition_date: date }))[0]
        .n,
    );
  }
  return out;
}

/**
 * Rebuilds the silver models derived only from silver tables that were cleaned (sessions from
 * events), so they agree with the cleaned rows. Models that also read bronze are left alone:
 * rebuilding them would bring the cleaned rows back.
 */
export async function rebuildDerived(deps: ActivityDeps, s: Session, date: string, cleaned: Set<CleanableTable>, tables: TableMap): Promise<string[]> {
  const rebuilt: string[] = [];
  for (const m of discoverModels('silver')) {
    const name = m.name as CleanableTable;
    if (m.materialized !== 'partition' || !CLEANABLE_TABLES.includes(name) || cleaned.has(name)) continue;
    if (!m.dependsOn.every((d) => d.startsWith('silver.')) || !m.dependsOn.some((d) => cleaned.has(d.slice(7) as CleanableTable))) continue;
    const select = redirectSilver(renderSqlFile(m.file, deps.warehouse.dialect), tables);
    await s.exec(`delete from ${tables[name]} where partition_date = cast($partition_date as date)`, { partition_date: date });
    await s.exec(`insert into ${tables[name]} select * from (${select}) as model`, modelParams(deps, select, date));
    rebuilt.push(name);
  }
  return rebuilt;
}

/** The silver checks evaluated against `tables` (not recorded: a dry run is not a verdict on silver). */
export async function evaluateSilverChecks(deps: ActivityDeps, s: Session, date: string, tables: TableMap): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  for (const def of configuredChecks(deps, 'silver')) {
    const sql = redirectSilver(renderSqlFile(def.file, deps.warehouse.dialect), tables);
    const [row] = await s.query<{ observed: number | null; sample: string | null }>(sql, modelParams(deps, sql, date));
    const observed = row?.observed === null || row?.observed === undefined ? null : Number(row.observed);
    results.push({ check: def.name, severity: def.severity, status: evaluate(def, observed), observed, threshold: def.threshold, sample: row?.sample ?? null });
  }
  return results;
}
