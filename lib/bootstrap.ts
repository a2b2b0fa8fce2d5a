import path from 'node:path';
import type { Warehouse } from '../adapters/warehouse/warehouse';
import { allSources } from '../contracts/sources';
import { bronzeDdl } from '../contracts/validation-sql';
import { syncSourceSettings } from '../contracts/warehouse-sync';
import { declaredShape, evolveTable, type ColumnShape } from './schema-evolution';
import { discoverModels, planWaves } from './sql/models';
import { renderSqlFile, statements } from './sql/render';

/** Ordered DDL scripts under sql/ that create every table the pipeline writes. */
export const DDL_FILES = ['ops/ops_tables.sql', 'ml/ml_tables.sql', 'attribution/attribution_tables.sql', 'cleaning/cleaning_tables.sql', 'mmm/mmm_tables.sql'];

const CREATE = /^\s*create table if not exists ([a-z_][a-z0-9_]*\.[a-z_][a-z0-9_]*)/i;

/**
 * Declared shapes depend only on the code (and the dialect), so they are worked out once per
 * process: opening another warehouse (tests, rebuilds) then costs one catalog query per table.
 */
const shapes = new Map<string, Promise<ColumnShape[]>>();
function declared(wh: Warehouse, id: string, make: () => Promise<ColumnShape[]>): Promise<ColumnShape[]> {
  const key = `${wh.dialect}:${id}`;
  let shape = shapes.get(key);
  if (!shape) {
    shape = make();
    shapes.set(key, shape);
    shape.catch(() => shapes.delete(key));
  }
  return shape;
}

/**
 * Creates the schemas' tables if missing and brings existing ones to the code's shape
 * (lib/schema-evolution.ts): tables from sql/ DDL and bronze tables gain the columns their DDL
 * or contract added; model tables (silver partition models, gold) gain the columns their SELECT
 * added. A bronze or model column that was removed or retyped fails here, at worker start, with
 * one line saying what to do. Idempotent; run at worker start and by tests.
 */
export async function bootstrapWarehouse(wh: Warehouse, opts: { sessionGapMinutes?: number } = {}): Promise<void> {
  const existed = await existingTables(wh);
  for (const file of DDL_FILES) {
    for (const stmt of statements(renderSqlFile(file, wh.dialect))) {
      await wh.exec(stmt);
      const table = CREATE.exec(stmt)?.[1].toLowerCase();
      if (table && existed.has(table)) {
        const shape = await declared(wh, `${file}:${stmt}`, () => declaredShape(wh, (target) => stmt.replace(CREATE, (m) => m.replace(/[^\s]+$/, target))));
        await evolveTable(wh, table, shape, { declaredBy: `sql/${file}`, strict: false, quote: false });
      }
    }
  }
  for (const source of allSources()) {
    const ddl = bronzeDdl(source);
    await wh.exec(ddl);
    const table = `bronze.${source.name}`;
    if (existed.has(table)) {
      const shape = await declared(wh, ddl, () => declaredShape(wh, (target) => ddl.replace(table, target)));
      await evolveTable(wh, table, shape, {
        declaredBy: `contract ${source.name}${source.origin ? ` (${shownPath(source.origin)})` : ''}`,
        strict: true,
        quote: true,
      });
    }
  }
  await syncSourceSettings(wh, allSources());
  await evolveModels(wh, existed, opts.sessionGapMinutes ?? 30);
}

/**
 * Model tables are created by their first build (`create table … as select … limit 0`); on an
 * existing warehouse they follow their SELECT: silver first, then gold, in dependency order, so
 * a gold model's shape reads the evolved silver. `table` silver models are recreated by every
 * build and need nothing; gold `table` marts are published by insert and do.
 */
async function evolveModels(wh: Warehouse, existed: Set<string>, sessionGapMinutes: number): Promise<void> {
  for (const layer of ['silver', 'gold'] as const) {
    for (const wave of planWaves(discoverModels(layer))) {
      for (const model of wave) {
        const table = `${layer}.${model.name}`;
        if (!existed.has(table) || (layer === 'silver' && model.materialized === 'table')) continue;
        const select = renderSqlFile(model.file, wh.dialect);
        const params = Object.fromEntries(
          Object.entries({ partition_date: '2000-01-01', session_gap_minutes: sessionGapMinutes }).filter(([k]) => new RegExp(`\\$${k}\\b`).test(select)),
        );
        // A model whose SELECT cannot run yet (an input table missing) is left to its next build to report.
        const shape = await declared(wh, `${model.file}:${sessionGapMinutes}`, () =>
          declaredShape(wh, (target) => `create table ${target} as select * from (${select}) as model limit 0`, params),
        ).catch(() => []);
        await evolveTable(wh, table, shape, { declaredBy: `model sql/${model.file}`, strict: true, quote: false });
      }
    }
  }
}

async function existingTables(wh: Warehouse): Promise<Set<string>> {
  const rows =
    wh.dialect === 'duckdb'
      ? await wh.query<{ t: string }>(`select schema_name || '.' || table_name as t from duckdb_tables() where database_name = current_database()`)
      : await wh.query<{ t: string }>(`select lower(table_schema) || '.' || lower(table_name) as "t" from information_schema.tables`);
  return new Set(rows.map((r) => r.t.toLowerCase()));
}

/** A contract file inside this installation is named relative to it (contracts/orders.contract.ts); a user's folder keeps its full path. */
function shownPath(file: string): string {
  const relative = path.relative(path.resolve(__dirname, '..'), file);
  return relative.startsWith('..') || path.isAbsolute(relative) ? file : relative;
}
