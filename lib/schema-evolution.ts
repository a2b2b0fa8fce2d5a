import { randomUUID } from 'node:crypto';
import type { Session, Warehouse } from '../adapters/warehouse/warehouse';
import { ConfigError } from '../config/config';

/**
 * Schema evolution of existing tables, like dbt's `on_schema_change`:
 * - a column the code declares but the table lacks is ADDED (nullable; old rows read NULL) —
 *   dbt's `append_new_columns`;
 * - a column the table has but the code no longer declares, or declares with another type, FAILS
 *   the worker at start with one line naming the table, the column and what to do — dbt's
 *   `fail`. Dropping or converting data is a decision for a person, never a side effect —
 *   with one exception the code owns: a DuckDB HUGEINT column the code now declares BIGINT is
 *   converted in place (isIntegerSumNarrowing). Models stored integer sums as DuckDB's HUGEINT
 *   before stop 23; they are counts, so every value fits, and a value that did not would fail the
 *   cast and leave the table as it was.
 * Declared shapes come from the warehouse itself: the table's own DDL (or the model's SELECT)
 * is created empty under a scratch name and its columns read back, so types are compared in the
 * warehouse's own spelling.
 */
export class SchemaChangeError extends ConfigError {
  override name = 'SchemaChangeError';
}

export interface ColumnShape {
  name: string;
  type: string;
}

export interface EvolvePolicy {
  /** Who declares the table's columns, for messages: `contract events`, `model sql/gold/daily_kpis.sql`. */
  declaredBy: string;
  /** Fail on removed or retyped columns (bronze and model tables), or only add (operational tables). */
  strict: boolean;
  /** Quote added column names (tables whose DDL quotes them, e.g. bronze). */
  quote: boolean;
}

function split(table: string): { db?: string; schema: string; name: string } {
  const parts = table.split('.');
  if (parts.length === 3) return { db: parts[0], schema: parts[1], name: parts[2] };
  return { schema: parts[0], name: parts[1] };
}

/** The table's columns (names lower-cased), or undefined when it does not exist. */
export async function tableColumns(wh: Session, dialect: Warehouse['dialect'], table: string): Promise<ColumnShape[] | undefined> {
  const t = split(table);
  let rows: { name: string; type: string }[];
  if (dialect === 'duckdb') {
    // `scratch` is an attached in-memory database (its tables live in its `main` schema).
    const [db, schema] = t.schema === 'scratch' && !t.db ? ['scratch', 'main'] : [t.db ?? null, t.schema];
    rows = await wh.query<{ name: string; type: string }>(
      `select column_name as name, data_type as type from duckdb_columns()
       where database_name = coalesce($db, current_database()) and schema_name = $schema and table_name = $name order by column_index`,
      { db, schema, name: t.name },
    );
  } else {
    rows = (
      await wh.query<{ name: string; type: string; p: number | null; s: number | null }>(
        `select column_name as "name", data_type as "type", numeric_precision as "p", numeric_scale as "s" from information_schema.columns
         where upper(table_schema) = upper($schema) and upper(table_name) = upper($name) order by ordinal_position`,
        { schema: t.schema, name: t.name },
      )
    ).map((r) => ({
      name: r.name,
      type: r.p !== null && r.p !== undefined && /^(NUMBER|DECIMAL|NUMERIC)$/i.test(r.type) ? `${r.type}(${r.p},${r.s ?? 0})` : r.type,
    }));
  }
  if (!rows.length) return undefined;
  return rows.map((r) => ({ name: String(r.name).toLowerCase(), type: String(r.type).toUpperCase() }));
}

/**
 * The columns a `create table` statement would make: `create(target)` must return the
 * statement for the given table name; it is run on a throw-away scratch table.
 */
export async function declaredShape(wh: Warehouse, create: (target: string) => string, params?: Record<string, string | number>): Promise<ColumnShape[]> {
  const target = `${wh.scratchSchema}.shape_${randomUUID().replace(/-/g, '').slice(0, 16)}`;
  try {
    await wh.exec(create(target), params);
    return (await tableColumns(wh, wh.dialect, target)) ?? [];
  } finally {
    await wh.exec(`drop table if exists ${target}`).catch(() => undefined);
  }
}

/** Brings an existing table to its declared shape (see the policy above); returns the added columns. */
export async function evolveTable(wh: Warehouse, table: string, declared: ColumnShape[], policy: EvolvePolicy): Promise<string[]> {
  const existing = await tableColumns(wh, wh.dialect, table);
  if (!existing || !declared.length) return [];
  const want = new Map(declared.map((c) => [c.name.toLowerCase(), c]));
  const have = new Map(existing.map((c) => [c.name, c]));
  if (policy.strict) {
    for (const c of existing) {
      const d = want.get(c.name);
      if (!d)
        throw new SchemaChangeError(
          `${table} has column "${c.name}", which ${policy.declaredBy} no longer declares: declare it again, or drop it yourself once nothing reads it (alter table ${table} drop column ${q(c.name, policy)}); the worker never drops data`,
        );
      if (d.type.toUpperCase() !== c.type && !isIntegerSumNarrowing(wh.dialect, c.type, d.type))
        throw new SchemaChangeError(
          `${table} column "${c.name}" is ${c.type} but ${policy.declaredBy} now declares ${d.type.toUpperCase()}: restore the type, or migrate the column yourself (add a column of the new type, copy, drop the old one); the worker never converts data`,
        );
    }
  }
  for (const c of existing) {
    const d = want.get(c.name);
    if (!d || !isIntegerSumNarrowing(wh.dialect, c.type, d.type)) continue;
    await wh.exec(`alter table ${table} alter column ${q(c.name, policy)} set data type bigint`).catch((err: Error) => {
      throw new SchemaChangeError(
        `${table} column "${c.name}" is HUGEINT and ${policy.declaredBy} now declares BIGINT, but a value does not fit (${err.message.split('\n')[0]}): correct that row, then start the worker again`,
      );
    });
  }
  const added = declared.filter((c) => !have.has(c.name.toLowerCase()));
  for (const c of added) await wh.exec(`alter table ${table} add column ${q(c.name, policy)} ${c.type}`);
  return added.map((c) => c.name);
}

/** See the policy above: HUGEINT → BIGINT on DuckDB, the one conversion the worker makes. */
function isIntegerSumNarrowing(dialect: Warehouse['dialect'], have: string, want: string): boolean {
  return dialect === 'duckdb' && have === 'HUGEINT' && want.toUpperCase() === 'BIGINT';
}

function q(name: string, policy: Pick<EvolvePolicy, 'quote'>): string {
  if (!/^[a-z_][a-z0-9_]*$/i.test(name)) throw new Error(`unsafe column name ${JSON.stringify(name)}`);
  return policy.quote ? `"${name}"` : name;
}

/**
 * `insert into target (columns) select columns from (select…)`, naming the target's columns, so
 * a column added to the table or to the SELECT, or two columns in another order, never shift
 * data. DuckDB does that itself (`insert … by name`); Snowflake gets an explicit list read from
 * its catalog (every column of the target the SELECT provides).
 */
export async function insertByName(
  s: Session,
  dialect: Warehouse['dialect'],
  target: string,
  select: string,
  params?: Record<string, string | number | boolean | null>,
): Promise<void> {
  if (dialect === 'duckdb') {
    await s.exec(`insert into ${target} by name select * from (${select}) as model`, params);
    return;
  }
  const cols = await tableColumns(s, dialect, target);
  if (!cols) throw new Error(`table ${target} does not exist`);
  const list = cols.map((c) => c.name).join(', ');
  await s.exec(`insert into ${target} (${list}) select ${list} from (${select}) as model`, params);
}
