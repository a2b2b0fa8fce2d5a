import { LocalObjectStore } from '../../adapters/object-store/local/local-object-store';
import { describeBronzePartition, reconcileLanding } from '../../activities/ingest/delivery';
import { loadBronzeFile } from '../../activities/ingest/load-bronze';
import { bootstrapWarehouse } from '../../lib/bootstrap';
import type { ActivityDeps } from '../../lib/deps';
import { createLogger } from '../../lib/logger';
import { tempDataDir, testConfig } from '../support/temporal';
import { BACKENDS, openBackend, type Backend } from '../warehouse/backends';

/**
 * The landing decisions' SQL on Snowflake (snowflake-sdk → fakesnow): the audit queries behind
 * restores, withdrawals, duplicates and failed files are the same statements on both warehouses.
 */
const run = BACKENDS.includes('snowflake') ? describe : describe.skip;

run('landing decisions on Snowflake (fakesnow)', () => {
  let b: Backend;
  let deps: ActivityDeps;
  beforeAll(async () => {
    b = await openBackend('snowflake');
    await bootstrapWarehouse(b.warehouse);
    deps = {
      config: await testConfig(),
      warehouse: b.warehouse,
      store: new LocalObjectStore(tempDataDir('sf-delivery-')),
      logger: createLogger({ level: 'error' }),
    };
  }, 180_000);
  afterAll(async () => b?.stop());

  const D = '2026-05-03';
  const csv = (ids: string[]) => 'event_id,client_id,event_type,event_ts\n' + ids.map((id) => `${id},c1,page_view,${D}T10:00:00Z\n`).join('');
  const cycle = async () => {
    const plan = await reconcileLanding(deps, { date: D });
    const loads = [];
    for (const f of plan.files) loads.push(await loadBronzeFile(deps, { date: D, source: f.source, key: f.key }));
    return { plan, status: Object.fromEntries(loads.map((l) => [l.key.split('/').pop()!, l.status])), held: await describeBronzePartition(deps, { date: D }) };
  };

  test('restore, withdrawal and a failed file: bronze follows the delivery', async () => {
    await deps.store.put(`landing/${D}/events.csv`, csv(['a1', 'a2']));
    await deps.store.put(`landing/${D}/events-2.csv`, csv(['x1']));
    expect((await cycle()).held.rows).toBe(3);
    await deps.store.put(`landing/${D}/events.csv`, csv(['b1']));
    expect((await cycle()).status['events.csv']).toBe('replaced');
    await deps.store.put(`landing/${D}/events.csv`, csv(['a1', 'a2']));
    const restored = await cycle();
    expect(restored.status).toEqual({ 'events.csv': 'replaced', 'events-2.csv': 'skipped_same_generation' });
    expect(restored.held.rows).toBe(3);
    await deps.store.delete(`landing/${D}/events-2.csv`);
    await deps.store.put(`landing/${D}/events-3.csv.gz`, Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0x01]));
    const last = await cycle();
    expect(last.plan.retracted).toEqual([{ key: `landing/${D}/events-2.csv`, rows: 1 }]);
    expect(last.held).toMatchObject({ rows: 2, objects: 2, failed: [{ key: `landing/${D}/events-3.csv.gz` }] });
  }, 180_000);
});
