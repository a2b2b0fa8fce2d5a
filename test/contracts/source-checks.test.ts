import { createIngestActivities } from '../../activities/ingest';
import { buildModel } from '../../activities/transform/build-model';
import { runChecks, type ChecksOutcome } from '../../activities/quality/run-checks';
import type { ActivityDeps } from '../../lib/deps';
import { D, event, freshDeps, insertRows, order } from '../support/fixtures';
import { tempDataDir } from '../support/temporal';
import { writeDtcContract } from './support/dtc-export';

/**
 * sources_present and quarantine_rate follow each source's contract: which sources a partition
 * requires, and each source's own quarantine-rate threshold (default DAG_MAX_QUARANTINE_RATE) —
 * a bad new source is not hidden by a large clean one.
 */
let deps: ActivityDeps | undefined;
afterEach(async () => deps?.warehouse.close());

async function silverChecks(settings: { required: boolean; maxQuarantineRate: number }, env: Record<string, string> = {}): Promise<ChecksOutcome> {
  const dir = tempDataDir('src-checks-');
  writeDtcContract(dir, settings);
  deps = await freshDeps({ DAG_CONTRACTS_DIR: dir, ...env });
  await insertRows(deps.warehouse, 'bronze.events', [
    event('a', `${D} 22:00:00`),
    event('a', `${D} 22:07:00`, { event_type: 'purchase', event_data: '{"order_id":"o1","revenue":40}' }),
  ]);
  await insertRows(deps.warehouse, 'bronze.orders', [order('o1', 'a', `${D} 22:07:00`, 40)]);
  await insertRows(deps.warehouse, 'ops.load_audit', [
    {
      partition_date: D,
      source: 'events',
      source_key: `landing/${D}/events.csv`,
      status: 'loaded',
      rows_read: 1000,
      rows_quarantined: 10,
      loaded_at: `${D} 23:00:00`,
    },
    {
      partition_date: D,
      source: 'dtc_events',
      source_key: `landing/${D}/dtc_events-1.csv`,
      status: 'loaded',
      rows_read: 100,
      rows_quarantined: 8,
      loaded_at: `${D} 23:00:00`,
    },
  ]);
  for (const model of ['events', 'order_items', 'orders', 'sessions', 'customers']) await buildModel(deps, { date: D, layer: 'silver', model });
  return runChecks(deps, { date: D, stage: 'silver', runId: `t-${Math.random()}` });
}
const result = (o: ChecksOutcome, name: string) => o.results.find((r) => r.check === name)!;

test('a new source over its own threshold blocks, although the partition as a whole is under 5 %', async () => {
  const o = await silverChecks({ required: false, maxQuarantineRate: 0.05 });
  expect(result(o, 'quarantine_rate')).toMatchObject({ status: 'fail', observed: 1, sample: 'dtc_events: 8 of 100 rows (8.0 % > 5.0 %)' });
});

test('a source with a looser threshold passes at the same rate; others keep DAG_MAX_QUARANTINE_RATE', async () => {
  const o = await silverChecks({ required: false, maxQuarantineRate: 0.1 }, { DAG_MAX_QUARANTINE_RATE: '0.005' });
  // events: 1.0 % of 1000 rows is over the configured default of 0.5 %; dtc_events: 8 % is under its own 10 %.
  expect(result(o, 'quarantine_rate')).toMatchObject({ status: 'fail', observed: 1, sample: 'events: 10 of 1000 rows (1.0 % > 0.5 %)' });
});

test('sources_present requires the sources whose contract says so', async () => {
  const o = await silverChecks({ required: true, maxQuarantineRate: 0.1 });
  expect(result(o, 'sources_present')).toMatchObject({ status: 'fail', observed: 1, sample: 'dtc_events' });
});

test('landing files that match no source warn (files_unmatched); DAG_CHECKS can make that blocking', async () => {
  for (const severity of ['warning', 'blocking'] as const) {
    await deps?.warehouse.close();
    deps = await freshDeps(severity === 'blocking' ? { DAG_CHECKS: '{"files_unmatched":{"severity":"blocking"}}' } : {});
    await deps.store.put(`landing/${D}/events.csv`, 'event_id\n');
    await deps.store.put(`landing/${D}/Events.csv`, 'a\n1\n');
    await deps.store.put(`landing/${D}/events_extra.csv`, 'a\n1\n');
    const listing = await createIngestActivities(deps).listLandingFiles({ date: D });
    expect(listing.ignored.sort()).toEqual([`landing/${D}/Events.csv`, `landing/${D}/events_extra.csv`]);
    for (const model of ['events', 'order_items', 'orders', 'sessions', 'customers']) await buildModel(deps, { date: D, layer: 'silver', model });
    const o = await runChecks(deps, { date: D, stage: 'silver', runId: `t-${Math.random()}` });
    expect(result(o, 'files_unmatched')).toMatchObject({
      observed: 2,
      status: severity === 'blocking' ? 'fail' : 'warn',
      sample: `landing/${D}/Events.csv, landing/${D}/events_extra.csv`,
    });
    // The reason is kept beside each key.
    expect(await deps.warehouse.query(`select object_key, reason from ops.landing_unmatched order by object_key`)).toEqual([
      { object_key: `landing/${D}/Events.csv`, reason: 'matches no source' },
      { object_key: `landing/${D}/events_extra.csv`, reason: 'matches no source' },
    ]);
  }
});
