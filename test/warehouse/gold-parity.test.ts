import { generateDemoData } from '../../activities/generate/generate-demo-data';
import { listLandingFiles } from '../../activities/ingest/landing';
import { loadBronzeFile } from '../../activities/ingest/load-bronze';
import { buildModel, stagingTable } from '../../activities/transform/build-model';
import { runChecks } from '../../activities/quality/run-checks';
import { LocalObjectStore } from '../../adapters/object-store/local/local-object-store';
import type { Warehouse } from '../../adapters/warehouse/warehouse';
import { bootstrapWarehouse } from '../../lib/bootstrap';
import type { ActivityDeps } from '../../lib/deps';
import { createLogger } from '../../lib/logger';
import { discoverModels, planWaves } from '../../lib/sql/models';
import { tempDataDir, testConfig } from '../support/temporal';
import { BACKENDS, openBackend, type Backend } from './backends';

/**
 * The same sql/ models on DuckDB and on Snowflake (snowflake-sdk → fakesnow): one generated day
 * goes through bronze → silver → gold on both, and every gold model must give the same numbers.
 */
const D = '2026-11-01';
const run = BACKENDS.length === 2 ? describe : describe.skip;

run('gold parity: DuckDB vs Snowflake (fakesnow)', () => {
  const backends: Backend[] = [];
  const deps: Record<string, ActivityDeps> = {};
  beforeAll(async () => {
    const store = new LocalObjectStore(tempDataDir('parity-'));
    const config = await testConfig();
    const logger = createLogger({ level: 'error' });
    for (const name of BACKENDS) {
      const b = await openBackend(name);
      backends.push(b);
      await bootstrapWarehouse(b.warehouse);
      deps[name] = { config, warehouse: b.warehouse, store, logger };
    }
    await generateDemoData(deps.duckdb, { date: D, rows: 3000, seed: 21, anomalies: true });
    for (const d of Object.values(deps)) {
      for (const f of (await listLandingFiles(store, D)).files) await loadBronzeFile(d, { date: D, source: f.source, key: f.key });
      for (const layer of ['silver', 'gold'] as const) {
        for (const wave of planWaves(discoverModels(layer))) for (const m of wave) await buildModel(d, { date: D, layer, model: m.name });
      }
    }
  }, 300_000);
  afterAll(async () => {
    for (const b of backends) await b.stop();
  });

  const sorted = async (wh: Warehouse, table: string) => {
    const rows = await wh.query(`select * from ${table}`);
    const norm = rows.map((r) =>
      Object.fromEntries(
        Object.entries(r).map(([k, v]) => [k, typeof v === 'number' ? Number(v.toFixed(6)) : v === null ? null : String(v).replace(/T00:00:00(\.000)?Z$/, '')]),
      ),
    );
    return norm.map((r) => JSON.stringify(r, Object.keys(r).sort())).sort();
  };

  test('bronze and quarantine counts agree', async () => {
    const q = 'select (select count(*) from bronze.events) as e, (select count(*) from bronze.orders) as o, (select count(*) from ops.quarantine) as q';
    expect(await deps.snowflake.warehouse.query(q)).toEqual(await deps.duckdb.warehouse.query(q));
  });

  test.each(discoverModels('gold').map((m) => m.name))('gold.%s has the same rows on both warehouses', async (model) => {
    const table = stagingTable(model, D);
    const [duck, snow] = [await sorted(deps.duckdb.warehouse, table), await sorted(deps.snowflake.warehouse, table)];
    expect(duck.length).toBeGreaterThan(0);
    expect(snow).toEqual(duck);
  });

  test('the quality checks reach the same verdicts', async () => {
    const verdicts = async (d: ActivityDeps) =>
      (await runChecks(d, { date: D, stage: 'silver', runId: 'parity' })).results.map((r) => [r.check, r.status, r.observed]);
    expect(await verdicts(deps.snowflake)).toEqual(await verdicts(deps.duckdb));
  });
});
