import * as fs from 'node:fs';
import * as path from 'node:path';
import { randomUUID } from 'node:crypto';
import type { WorkflowHandle } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { bundleWorkflowCode, type Worker } from '@temporalio/worker';
import { DuckDbWarehouse } from '../../adapters/warehouse/duckdb/duckdb-warehouse';
import { StatementCancelledError } from '../../adapters/warehouse/warehouse';
import type { ActivityDeps } from '../../lib/deps';
import { openDeps } from '../../lib/open-deps';
import { createDagWorker } from '../../workers/worker';
import { createTestEnv, quietLogger, runWorker, tempDataDir, testConfig, type TestEnv } from '../support/temporal';
import { StopWaiting, waitFor } from '../support/time';
import type { CancellableActivities } from './support/cancellable-workflows';

/**
 * SQL activities notice cancellation within seconds and interrupt the running statement (DuckDB
 * connection interrupt; Snowflake server-side cancel), heartbeat the engine's progress, and a
 * cancelled transaction commits nothing.
 */
// 4·10¹² pairs: hours of work, with progress DuckDB reports (a table scan; range() reports none).
const BIG = `create table if not exists ops.big as select i from range(2000000) as t(i)`;
const LONG = `select count(*) as n from ops.big as a, ops.big as b where a.i + b.i = 7`;

describe('the DuckDB adapter', () => {
  let wh: DuckDbWarehouse;
  beforeAll(async () => {
    wh = await DuckDbWarehouse.open({ path: path.join(tempDataDir('cancel-'), 'w.duckdb') });
    await wh.exec(BIG);
  });
  afterAll(async () => wh?.close());

  test('an aborted statement is interrupted after reporting progress; the warehouse stays usable', async () => {
    const abort = new AbortController();
    const seen: number[] = [];
    const running = wh.controlled({ signal: abort.signal, onProgress: (p) => seen.push(p) }).query(LONG);
    await waitFor('DuckDB to report progress', async () => seen.some((p) => p > 0));
    abort.abort();
    await expect(running).rejects.toBeInstanceOf(StatementCancelledError);
    expect(seen.every((p) => p >= 0 && p <= 1)).toBe(true);
    expect(await wh.query(`select 42 as n`)).toEqual([{ n: 42 }]);
  });

  test('a transaction aborted during its long statement commits nothing', async () => {
    await wh.exec(`create table if not exists ops.marker (m varchar)`);
    const abort = new AbortController();
    let inserted = false;
    const running = wh.controlled({ signal: abort.signal }).transaction(async (tx) => {
      await tx.exec(`insert into ops.marker values ('in-transaction')`);
      inserted = true;
      await tx.query(LONG);
    });
    await waitFor('the insert', async () => inserted);
    abort.abort();
    await expect(running).rejects.toBeInstanceOf(StatementCancelledError);
    expect(await wh.query(`select count(*) as n from ops.marker`)).toEqual([{ n: 0 }]);
  });

  test('a raw load aborted at once stops, whichever of its statements runs, and leaves no table', async () => {
    const file = path.join(tempDataDir('cancel-load-'), 'big.csv');
    fs.writeFileSync(file, 'a,b\n' + `${'x'.repeat(40)},${'y'.repeat(40)}\n`.repeat(300_000));
    const abort = new AbortController();
    const running = wh
      .controlled({ signal: abort.signal })
      .loadRawFile('scratch.raw_cancelled', { path: file, format: 'csv', compression: 'none' }, ['a', 'b']);
    abort.abort();
    await expect(running).rejects.toBeInstanceOf(StatementCancelledError);
    expect(await wh.query(`select count(*) as n from information_schema.tables where table_name = 'raw_cancelled'`)).toEqual([{ n: 0 }]);
  });
});

describe('activities on a worker', () => {
  let env: TestEnv;
  let deps: ActivityDeps;
  let worker: Worker;
  let stop: () => Promise<void>;
  const taskQueue = `cancel-${randomUUID()}`;
  // The bronze load's copy of its object waits here until the test lets it go, so the test can
  // cancel a load that has started but not yet committed, on any machine (a load of this size
  // takes ~2 s on an idle one: waiting for a heartbeat phase raced the commit).
  let gate: { reached: () => void; open: Promise<void> } | undefined;

  beforeAll(async () => {
    env = await createTestEnv();
    const opened = await openDeps(await testConfig({ DAG_TASK_QUEUE: taskQueue }));
    const store = opened.store;
    deps = {
      ...opened,
      store: new Proxy(store, {
        get: (target, prop) =>
          prop === 'localCopy'
            ? async (key: string) => {
                const g = gate;
                g?.reached();
                await g?.open;
                return target.localCopy(key);
              }
            : ((Reflect.get(target, prop) as (...a: unknown[]) => unknown).bind?.(target) ?? Reflect.get(target, prop)),
      }),
    };
    await deps.warehouse.exec(`create table if not exists ops.marker (m varchar)`);
    await deps.warehouse.exec(BIG);
    const holdTransaction: CancellableActivities['holdTransaction'] = async ({ marker }) =>
      deps.warehouse.transaction(async (tx) => {
        await tx.exec(`insert into ops.marker values ($m)`, { m: marker });
        await tx.query(LONG);
      });
    const { code } = await bundleWorkflowCode({ workflowsPath: require.resolve('./support/cancellable-workflows'), logger: quietLogger });
    worker = await createDagWorker({ connection: env.connection, deps, taskQueue, workflowBundle: { code }, extraActivities: { holdTransaction } });
    stop = runWorker(worker);
  }, 120_000);
  afterAll(async () => {
    await stop?.();
    await deps?.warehouse.close();
    await env?.close();
  });

  /** The pending activity's heartbeat details, once they satisfy `until`. */
  const heartbeat = (h: WorkflowHandle, until: (d: Record<string, unknown>) => boolean) =>
    waitFor('a heartbeat', async () => {
      const described = await h.describe();
      if (described.status.name !== 'RUNNING') throw new StopWaiting(`the workflow ended (${described.status.name}) before a matching heartbeat`);
      const payload = described.raw.pendingActivities?.[0]?.heartbeatDetails?.payloads?.[0];
      const details = payload ? defaultPayloadConverter.fromPayload<Record<string, unknown>>(payload) : undefined;
      return details && until(details) ? details : undefined;
    });
  const canceledActivities = async (h: WorkflowHandle) => ((await h.fetchHistory()).events ?? []).filter((e) => e.activityTaskCanceledEventAttributes).length;

  test('a cancelled workflow stops its activity’s statement; the transaction commits nothing', async () => {
    const marker = `m-${randomUUID()}`;
    const h = await env.client.workflow.start('LongTransaction', { taskQueue, workflowId: `long-tx-${randomUUID()}`, args: [marker] });
    // The statement's progress reaches the UI through the heartbeat.
    const beat = await heartbeat(h, (d) => typeof d.sqlProgress === 'number');
    expect(beat.sqlProgress).toBeGreaterThan(0);
    await h.cancel();
    await waitFor('the workflow to end', async () => (await h.describe()).status.name !== 'RUNNING', { timeoutMs: 60_000 });
    expect((await h.describe()).status.name).toBe('CANCELLED');
    expect(await canceledActivities(h)).toBe(1);
    expect(await deps.warehouse.query(`select count(*) as n from ops.marker where m = $m`, { m: marker })).toEqual([{ n: 0 }]);
  });

  test('a cancelled bronze load stops and loads nothing', async () => {
    const date = '2026-07-01';
    const key = `landing/${date}/events.csv.gz`;
    // 2M rows (~220 MB; gzip, so reading is single-threaded and takes seconds, several heartbeat
    // intervals), written by DuckDB and streamed into the store: long enough to cancel before the commit.
    const file = path.join(tempDataDir('long-load-'), 'events.csv.gz');
    await deps.warehouse.exec(
      `copy (select 'e' || i as event_id, 'c' || (i % 5000) as client_id, 'page_view' as event_type, '2026-07-01T10:00:00Z' as event_ts,
              'https://shop.example.com/p/' || (i % 100) as page_url, null as referrer, 'google' as utm_source, 'cpc' as utm_medium,
              'spring' as utm_campaign, 'mobile' as device, '{}' as event_data
            from range(2000000) as t(i)) to '${file}' (header, delimiter ',', compression gzip)`,
    );
    await deps.store.putStream(key, fs.createReadStream(file));
    fs.rmSync(file);
    let reached!: () => void;
    const started = new Promise<void>((r) => (reached = r));
    let open!: () => void;
    gate = { reached, open: new Promise<void>((r) => (open = r)) };
    const h = await env.client.workflow.start('LongLoad', { taskQueue, workflowId: `long-load-${randomUUID()}`, args: [{ date, source: 'events', key }] });
    // The load runs (its attempt started) and is about to read the file: cancel it there; the
    // cancellation reaches it with the answer to its first heartbeat, while it reads.
    await started;
    await h.cancel();
    await waitFor(
      'the cancellation request to be recorded',
      async () => (await h.describe()).raw.pendingActivities?.[0]?.state === temporal.api.enums.v1.PendingActivityState.PENDING_ACTIVITY_STATE_CANCEL_REQUESTED,
    );
    open();
    gate = undefined;
    await waitFor('the workflow to end', async () => (await h.describe()).status.name !== 'RUNNING', { timeoutMs: 60_000 });
    expect((await h.describe()).status.name).toBe('CANCELLED');
    expect(await canceledActivities(h)).toBe(1);
    expect(await deps.warehouse.query(`select count(*) as n from bronze.events where _partition_date = date '2026-07-01'`)).toEqual([{ n: 0 }]);
    expect(await deps.warehouse.query(`select count(*) as n from ops.load_audit where source_key = $k and status = 'loaded'`, { k: key })).toEqual([{ n: 0 }]);
  });
});
