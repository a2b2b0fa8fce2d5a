import { WorkflowFailedError } from '@temporalio/client';
import { NightlyPipeline } from '../../workflows';
import { nightlyWorkflowId } from '../../workflows/shared/names';
import { createTestEnv, type TestEnv, type TestWorker } from '../support/temporal';
import { decide, loadSigner } from '../../lib/approvals/client';
import { scaled } from '../support/time';

let env: TestEnv;
let w: TestWorker;

beforeAll(async () => {
  env = await createTestEnv();
  w = await env.makeWorker();
});
afterAll(async () => {
  await w?.close();
  await env?.close();
});

const start = (input: unknown, id = `${nightlyWorkflowId('x')}-${Math.random().toString(36).slice(2)}`) =>
  env.client.workflow.execute(NightlyPipeline, { taskQueue: w.taskQueue, workflowId: id, args: [input as never] });

const goldRows = async (date: string) =>
  Number((await w.deps.warehouse.query<{ n: number }>(`select count(*) as n from gold.daily_kpis where partition_date = cast($d as date)`, { d: date }))[0].n);

test('a clean day runs bronze → silver → checks → gold → publish and says so', async () => {
  const result = await start({ date: '2026-10-30', generate: { rows: 5000, anomalies: false, seed: 3 } });
  expect(result.status).toBe('succeeded');
  expect(result.blocked).toBeUndefined();
  expect(result.layers.gold!.published.sort()).toEqual(['channel_daily', 'customer_rfm', 'daily_kpis', 'funnel_daily', 'monthly_revenue']);
  expect(result.checks.map((c) => [c.stage, c.passed])).toEqual([
    ['silver', true],
    ['gold', true],
  ]);
  expect(result.summary).toMatch(
    /^bronze: [\d,]+ rows, 0 quarantined from 5 files · silver: [\d,]+ rows in 7 models · 12 of 12 silver checks passed · .* · gold published \(5 models\) · attribution: .+$/,
  );
  expect(result.summary).not.toContain('attribution FAILED');
  expect(await goldRows('2026-10-30')).toBe(1);
});

test('planted anomalies block publication with the failing checks named; published gold stays untouched', async () => {
  const before = await w.deps.warehouse.query(`select * from gold.daily_kpis order by partition_date`);
  const result = await start({ date: '2026-11-01', generate: { rows: 5000, anomalies: true, seed: 3 }, review: false });
  expect(result.status).toBe('blocked');
  expect(result.blocked).toEqual({ stage: 'silver', failedChecks: ['future_timestamps', 'negative_revenue', 'orphan_purchases'] });
  expect(result.summary).toContain('gold NOT published for 2026-11-01');
  expect(await goldRows('2026-11-01')).toBe(0);
  expect(await w.deps.warehouse.query(`select * from gold.daily_kpis order by partition_date`)).toEqual(before);
  expect(await w.deps.warehouse.query(`select count(*) as n from information_schema.tables where table_schema = 'staging'`)).toEqual([{ n: 0 }]);
  expect(result.loads.map((l) => l.source).sort()).toEqual(['customers', 'events', 'fx_rates', 'order_items', 'orders']);
  const [bronze] = await w.deps.warehouse.query<{ n: number }>(`select count(*) as n from bronze.events where _partition_date = date '2026-11-01'`);
  expect(result.layers.bronze.rows).toBe(result.loads.reduce((s, l) => s + l.rowsLoaded, 0));
  expect(result.loads.find((l) => l.source === 'events')!.rowsLoaded).toBe(bronze.n);
  expect(result.layers.bronze.quarantined).toBeGreaterThan(0);
  expect(result.summary).toMatch(/^bronze: [\d,]+ rows, [\d,]+ quarantined from 5 files · /);
});

test('running the same date twice leaves identical row counts (idempotent)', async () => {
  const counts = async () =>
    w.deps.warehouse.query(`select 'events' as t, count(*) as n from bronze.events union all select 'q', count(*) from ops.quarantine order by t`);
  const first = await start({ date: '2026-11-03', generate: { rows: 2000, anomalies: true, seed: 9 }, review: false });
  const after1 = await counts();
  const second = await start({ date: '2026-11-03', generate: { rows: 2000, anomalies: true, seed: 9 }, review: false });
  expect(await counts()).toEqual(after1);
  expect(second.loads.every((l) => l.status === 'skipped_same_checksum')).toBe(true);
  expect(first.loads.every((l) => l.status === 'loaded')).toBe(true);
});

test('search attributes name the partition and the outcome', async () => {
  const id = `nightly-sa-${Date.now()}`;
  await start({ date: '2026-11-05', review: false }, id);
  const desc = await env.client.workflow.getHandle(id).describe();
  expect(desc.searchAttributes.PartitionDate).toEqual(['2026-11-05']);
  expect(desc.searchAttributes.PipelineStatus).toEqual(['blocked']);
  // Nothing landed for that date: the run is blocked rather than publishing a day of zeros.
  expect((await env.client.workflow.getHandle(id).result()).blocked).toEqual({ stage: 'silver', failedChecks: ['sources_present'] });
});

test.each([
  [{ date: '2026-13-45' }, 'NightlyPipeline input: date: is not a real calendar date'],
  [{ date: "'; DROP TABLE x; --" }, 'NightlyPipeline input: date: must be a date like 2026-11-01'],
  [{ dat: '2026-11-01' }, 'NightlyPipeline input: unknown key "dat"'],
  [{ date: 20261101 }, 'NightlyPipeline input: date: Invalid input: expected string, received number'],
  [{ generate: { rows: -5 } }, 'NightlyPipeline input: generate.rows: Too small: expected number to be >=1'],
])('bad input %j fails the workflow with one clear message', async (input, message) => {
  const err = await start(input).catch((e) => e);
  expect(err).toBeInstanceOf(WorkflowFailedError);
  expect((err as WorkflowFailedError).cause?.message).toBe(message);
});

test('a blocked partition opens a cleaning review child; a rejection leaves it blocked with the reason', async () => {
  const id = `nightly-review-${Date.now()}`;
  const handle = await env.client.workflow.start(NightlyPipeline, {
    taskQueue: w.taskQueue,
    workflowId: id,
    args: [{ date: '2026-11-07', generate: { rows: 3000, anomalies: true, seed: 5 } }],
  });
  const review = env.client.workflow.getHandle('cleaning-2026-11-07');
  let plan: { version?: number } | undefined;
  for (let i = 0; i < scaled(200) && !plan?.version; i++) {
    plan = await review.query<{ version?: number }>('cleaningPlan').catch(() => undefined);
    if (!plan?.version) await new Promise((r) => setTimeout(r, 250));
  }
  expect(plan?.version).toBe(1);
  // The embedded default's approver (no DAG_APPROVERS configured): signed with its key from the data dir.
  const signer = loadSigner(w.config.approvals.signingKey!);
  expect(await decide(env.client, review.workflowId, { decision: 'reject', reason: 'not today', version: 1 }, signer)).toMatchObject({ ok: true });
  const result = await handle.result();
  expect(result.status).toBe('blocked');
  expect(result.summary).toContain('review: ');
  expect(result.summary).toContain('not today');
  expect(await goldRows('2026-11-07')).toBe(0);
});
