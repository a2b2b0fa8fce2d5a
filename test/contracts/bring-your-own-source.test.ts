import { NightlyPipeline, type NightlyResult } from '../../workflows/nightly-pipeline';
import { createTestEnv, tempDataDir, type TestEnv, type TestWorker } from '../support/temporal';
import { DTC_MISSING_ID, DTC_QUARANTINED, DTC_ROWS, DTC_UNDOCUMENTED, dtcExportCsv, writeDtcContract } from './support/dtc-export';

/**
 * The "done when": a new source added from a contract file in a temporary directory,
 * a file with header drift (clientId), null JSON in > 90 % of rows, undocumented event names and
 * ~6 % missing ids, loaded through NightlyPipeline on the real Temporal dev server. Bronze and
 * quarantine counts are exact, and the partition status follows the contract's settings
 * (required → sources_present; maxQuarantineRate → quarantine_rate), also after the contract is
 * changed and the worker restarted.
 */
let env: TestEnv;
let w: TestWorker | undefined;
const contracts = tempDataDir('byo-contracts-');
const dataDir = tempDataDir('byo-data-');

beforeAll(async () => {
  env = await createTestEnv();
});
afterAll(async () => {
  await w?.close();
  await env?.close();
});

async function startWorker(settings: { required: boolean; maxQuarantineRate: number }) {
  await w?.close();
  writeDtcContract(contracts, settings);
  w = await env.makeWorker({ env: { DAG_DATA_DIR: dataDir, DAG_CONTRACTS_DIR: contracts } });
}

const nightly = (date: string): Promise<NightlyResult> =>
  env.client.workflow.execute(NightlyPipeline, {
    taskQueue: w!.taskQueue,
    workflowId: `byo-nightly-${date}-${Math.random().toString(36).slice(2)}`,
    args: [{ date, generate: { rows: 2000, anomalies: false, seed: 8 }, review: false }],
  });
const count = async (sql: string, params = {}) => Number((await w!.deps.warehouse.query<{ n: number }>(sql, params))[0].n);
const check = async (date: string, name: string) =>
  (
    await w!.deps.warehouse.query<{ status: string; observed: number; sample: string | null }>(
      `select status, observed, sample from ops.dq_results where partition_date = cast($d as date) and check_name = $c order by checked_at desc limit 1`,
      { d: date, c: name },
    )
  )[0];

test('a new source from a contract file in a temp dir: exact bronze and quarantine, status from its settings', async () => {
  await startWorker({ required: true, maxQuarantineRate: 0.12 });
  const d1 = '2026-03-02';
  await w!.deps.store.put(`landing/${d1}/dtc_events-${d1}.csv`, dtcExportCsv(d1));
  await w!.deps.store.put(`landing/${d1}/events_extra.csv`, 'a,b\n1,2\n');
  await w!.deps.store.put(`landing/${d1}/Events.csv`, 'a,b\n1,2\n');

  const r1 = await nightly(d1);
  const load = r1.loads.find((l) => l.source === 'dtc_events')!;
  expect(load).toMatchObject({
    key: `landing/${d1}/dtc_events-${d1}.csv`,
    status: 'loaded',
    rowsLoaded: DTC_ROWS - DTC_QUARANTINED,
    rowsQuarantined: DTC_QUARANTINED,
  });
  expect(await count(`select count(*) as n from bronze.dtc_events where _partition_date = date '${d1}'`)).toBe(DTC_ROWS - DTC_QUARANTINED);
  // The drifted header filled client_id; > 90 % null JSON is fine for a nullable column.
  expect(await count(`select count(*) as n from bronze.dtc_events where client_id is null`)).toBe(0);
  expect(await count(`select count(*) as n from bronze.dtc_events where event_data is null`)).toBeGreaterThan(0.9 * (DTC_ROWS - DTC_QUARANTINED));
  const reasons = await w!.deps.warehouse.query<{ reason: string; n: number }>(
    `select reason, count(*) as n from ops.quarantine where source = 'dtc_events' group by reason order by reason`,
  );
  expect(reasons).toEqual([
    { reason: 'client_id: missing', n: DTC_MISSING_ID },
    { reason: 'event_name: not one of page_view|add_to_cart|checkout|purchase', n: DTC_UNDOCUMENTED },
  ]);
  const [drifted] = await w!.deps.warehouse.query<{ raw_record: string }>(
    `select raw_record from ops.quarantine where source = 'dtc_events' and reason like 'event_name%' order by line limit 1`,
  );
  expect(JSON.parse(drifted.raw_record)).toMatchObject({ clientId: expect.stringMatching(/^cl_\d+$/), event_name: 'checkout_completed' });
  // 10 % quarantined is under the source's own 12 %: the partition is published.
  expect(r1.status).toBe('succeeded');
  expect(await check(d1, 'quarantine_rate')).toMatchObject({ status: 'pass', observed: 0 });
  // Files that match no source are named in the summary and checked (a warning by default).
  expect(r1.summary).toContain(`2 files match no source: landing/${d1}/Events.csv, landing/${d1}/events_extra.csv`);
  expect(await check(d1, 'files_unmatched')).toMatchObject({ status: 'warn', observed: 2 });

  // A day without the export: the source is required, so the partition is blocked naming it.
  const d2 = '2026-03-03';
  const r2 = await nightly(d2);
  expect(r2.status).toBe('blocked');
  expect(r2.blocked?.failedChecks).toEqual(['sources_present']);
  expect(await check(d2, 'sources_present')).toMatchObject({ observed: 1, sample: 'dtc_events' });

  // The team tightens the contract (5 %) and restarts the worker: the same kind of day now blocks.
  await startWorker({ required: false, maxQuarantineRate: 0.05 });
  const d3 = '2026-03-04';
  await w!.deps.store.put(`landing/${d3}/dtc_events-${d3}.csv`, dtcExportCsv(d3, 'client_id'));
  const r3 = await nightly(d3);
  expect(r3.status).toBe('blocked');
  expect(r3.blocked?.failedChecks).toEqual(['quarantine_rate']);
  expect(await check(d3, 'quarantine_rate')).toMatchObject({ observed: 1, sample: expect.stringContaining('dtc_events: 20 of 200 rows (10.0 % > 5.0 %)') });
  // Not required any more: a day without it is not blocked by sources_present.
  const d4 = '2026-03-05';
  const r4 = await nightly(d4);
  expect(r4.blocked?.failedChecks ?? []).not.toContain('sources_present');
});
