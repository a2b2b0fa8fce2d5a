import type { Warehouse } from '../../adapters/warehouse/warehouse';

/**
 * Compares the system's warehouse with a rebuilt one, table by table, with EXCEPT ALL both ways
 * on the columns that carry data (load and quarantine times differ by design). DOUBLE columns
 * are rounded to 6 decimals: the same sums in another order may differ in the last bits.
 */
export interface CompareScope {
  /** Bronze, ops.quarantine and partition-materialized silver: every date that ran. */
  dates: string[];
  /** Partition-materialized gold: dates published in both (blocked dates keep older gold by design). */
  goldDates: string[];
  /** gold.attribution*: dates whose attribution ran after every earlier date was final. */
  attributionDates: string[];
  /**
   * Whole-table models (silver.customers, gold.customer_rfm, gold.monthly_revenue) are written
   * "as of" the date that ran last, so they are only comparable when that order matches the
   * rebuild's (see checkRun). 'gold' compares both layers, 'silver' only silver.
   */
  wholeTables: 'gold' | 'silver' | 'none';
}

/** Columns that record when, not what. */
const IGNORED = new Set(['_loaded_at', 'quarantined_at']);

type Column = {
  schema: string;
  table: string;
  column: string;
  type: string;
};

export async function compareWarehouses(wh: Warehouse, rebuildFile: string, scope: CompareScope): Promise<string[]> {
  const rb = `rebuild_${Math.random().toString(36).slice(2, 10)}`;
  await wh.exec(`attach '${rebuildFile.replace(/'/g, "''")}' as ${rb} (read_only)`);
  try {
    const columns = async (db: string) =>
      (
        await wh.query<Column>(
          `select schema_name as schema, table_name as "table", column_name as "column", data_type as type from duckdb_columns()
           where database_name = $db and (schema_name in ('bronze', 'silver', 'gold') or (schema_name = 'ops' and table_name = 'quarantine'))
           order by schema_name, table_name, column_index`,
          { db },
        )
      ).filter((c) => !IGNORED.has(c.column));
    const [mine] = await wh.query<{ db: string }>(`select current_database() as db`);
    const sys = group(await columns(mine.db));
    const reb = group(await columns(rb));
    const problems: string[] = [];
    for (const table of [...new Set([...sys.keys(), ...reb.keys()])].sort()) {
      const a = sys.get(table);
      const b = reb.get(table);
      const cols = a ?? b!;
      const filter = scopeFilter(table, cols, scope);
      if (filter === undefined) continue;
      const names = (cs: Column[] | undefined) => (cs ?? []).map((c) => c.column).join(',');
      if (a && b && names(a) !== names(b)) {
        problems.push(`${table}: columns differ: system (${names(a)}) vs rebuild (${names(b)})`);
        continue;
      }
      const select = (db: string, present: boolean) =>
        present
          ? `select ${cols.map((c) => (/DOUBLE|FLOAT|REAL/.test(c.type) ? `round("${c.column}", 6) as "${c.column}"` : `"${c.column}"`)).join(', ')} from ${db}.${table} where ${filter}`
          : `select ${cols.map((c) => `null::${c.type} as "${c.column}"`).join(', ')} where false`;
      const sysSql = select(mine.db, !!a);
      const rbSql = select(rb, !!b);
      const onlySystem = await wh.query(`${sysSql} except all ${rbSql} limit 3`);
      const onlyRebuild = await wh.query(`${rbSql} except all ${sysSql} limit 3`);
      if (onlySystem.length || onlyRebuild.length) {
        const [n] = await wh.query<{ s: number; r: number }>(
          `select (select count(*) from (${sysSql} except all ${rbSql})) as s, (select count(*) from (${rbSql} except all ${sysSql})) as r`,
        );
        problems.push(
          `${table}: ${Number(n.s)} rows only in the system${onlySystem.length ? ` e.g. ${brief(onlySystem[0])}` : ''}; ${Number(n.r)} rows only in the rebuild${onlyRebuild.length ? ` e.g. ${brief(onlyRebuild[0])}` : ''}`,
        );
      }
    }
    return problems;
  } finally {
    await wh.exec(`detach ${rb}`);
  }
}

function group(cols: Column[]): Map<string, Column[]> {
  const out = new Map<string, Column[]>();
  for (const c of cols) {
    const t = `${c.schema}.${c.table}`;
    out.set(t, [...(out.get(t) ?? []), c]);
  }
  return out;
}

const inDates = (col: string, dates: string[]) => (dates.length ? `cast("${col}" as varchar) in (${dates.map((d) => `'${d}'`).join(', ')})` : 'false');

/** Which rows of a table are in scope (a SQL condition), or undefined when it is not compared. */
function scopeFilter(table: string, cols: Column[], scope: CompareScope): string | undefined {
  const has = (c: string) => cols.some((x) => x.column === c);
  const [schema] = table.split('.');
  if (has('_partition_date')) return inDates('_partition_date', scope.dates);
  if (schema === 'gold' && has('conversion_date')) return inDates('conversion_date', scope.attributionDates);
  if (has('partition_date')) return inDates('partition_date', schema === 'gold' ? scope.goldDates : scope.dates);
  if (scope.wholeTables === 'gold' || (scope.wholeTables === 'silver' && schema === 'silver')) return 'true';
  return undefined;
}

function brief(row: Record<string, unknown>): string {
  const s = JSON.stringify(row, (_k, v: unknown) => (typeof v === 'bigint' ? Number(v) : v));
  return s.length > 300 ? `${s.slice(0, 300)}…` : s;
}
