import { decide } from '../../lib/approvals/client';
import { NightlyPipeline } from '../../workflows';
import { cleaningApproval } from '../../workflows/cleaning-review';
import { inputsChangedSignal } from '../../workflows/shared/late-data';
import { nightlyWorkflowId } from '../../workflows/shared/names';
import { awaitingPlan } from '../cleaning/support';
import { APPROVERS, signers } from '../security/approvers';
import { createTestEnv, type TestEnv, type TestWorker } from '../support/temporal';
import { eventsCsv, landFile, ordersNdjson, type Ev } from './support';

/**
 * Issue #14.1, through the real pipeline: the partition of a visit's landing hit owns it, the next
 * partition continues it; when the earlier day is re-run (a corrected delivery) or runs after the
 * later one (a backfill), the later day's sessions and gold follow without anyone re-running it.
 */
let env: TestEnv;
let w: TestWorker;
beforeAll(async () => {
  env = await createTestEnv();
  w = await env.makeWorker({ env: { DAG_APPROVERS: APPROVERS } });
});
afterAll(async () => {
  await w?.close();
  await env?.close();
});

const nightly = (date: string) =>
  env.client.workflow.execute(NightlyPipeline, { taskQueue: w.taskQueue, workflowId: nightlyWorkflowId(date), args: [{ date, review: false }] });

const next = (date: string) => new Date(Date.parse(`${date}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);

/** Day 0: x lands at 23:50 from `utm`; w buys at noon. Day 1: x checks out and buys after midnight; y browses. */
async function landTwoDays(d0: string, utm: [string, string]) {
  const d1 = next(d0);
  const day0: Ev[] = [
    { id: `${d0}-x1`, client: 'x', at: `${d0} 23:50:00`, utm },
    { id: `${d0}-x2`, client: 'x', at: `${d0} 23:56:00`, type: 'add_to_cart' },
    { id: `${d0}-w1`, client: 'w', at: `${d0} 12:00:00` },
    { id: `${d0}-w2`, client: 'w', at: `${d0} 12:10:00`, type: 'purchase', data: { order_id: `${d0}-ow`, revenue: 20 } },
  ];
  const day1: Ev[] = [
    { id: `${d1}-x3`, client: 'x', at: `${d1} 00:03:00`, type: 'checkout' },
    { id: `${d1}-x4`, client: 'x', at: `${d1} 00:05:00`, type: 'purchase', data: { order_id: `${d1}-o1`, revenue: 80 } },
    { id: `${d1}-y1`, client: 'y', at: `${d1} 10:00:00`, referrer: 'https://www.google.com/' },
  ];
  await landFile(w.deps.store, d0, 'events.csv', eventsCsv(day0));
  await landFile(w.deps.store, d0, 'orders.ndjson', ordersNdjson([{ id: `${d0}-ow`, client: 'w', at: `${d0} 12:10:00`, revenue: 20 }]));
  await landFile(w.deps.store, d1, 'events.csv', eventsCsv(day1));
  await landFile(w.deps.store, d1, 'orders.ndjson', ordersNdjson([{ id: `${d1}-o1`, client: 'x', at: `${d1} 00:05:00`, revenue: 80 }]));
  return { d0, d1, day0 };
}

const convertingChannel = async (date: string) =>
  w.deps.warehouse.query<{ channel: string; conversions: number }>(
    `select channel, conversions from gold.channel_daily where partition_date = cast($d as date) and conversions > 0 order by channel`,
    { d: date },
  );

test('a corrected delivery of the earlier day re-runs it, and the later day that continues its visit follows', async () => {
  const { d0, d1, day0 } = await landTwoDays('2025-03-10', ['google', 'cpc']);
  expect((await nightly(d0)).status).toBe('succeeded');
  expect((await nightly(d1)).status).toBe('succeeded');
  expect(await convertingChannel(d1)).toEqual([{ channel: 'paid_search', conversions: 1 }]);

  // The tag vendor re-delivers day 0: x actually came from the newsletter.
  await landFile(w.deps.store, d0, 'events.csv', eventsCsv(day0.map((e) => (e.utm ? { ...e, utm: ['newsletter', 'email'] as [string, string] } : e))));
  const rerun = await nightly(d0);
  expect(rerun.status).toBe('succeeded');
  expect(rerun.summary).toContain(`sessions of ${d1} continue ${d0}: ${d1} rebuilt`);
  expect(await convertingChannel(d1)).toEqual([{ channel: 'email', conversions: 1 }]);
});

test('a backfill that runs the later day first: the earlier day brings it up to date when it runs', async () => {
  const { d0, d1 } = await landTwoDays('2025-03-20', ['google', 'cpc']);
  expect((await nightly(d1)).status).toBe('succeeded');
  expect(await convertingChannel(d1)).toEqual([{ channel: 'direct', conversions: 1 }]);
  const earlier = await nightly(d0);
  expect(earlier.summary).toContain(`sessions of ${d1} continue ${d0}: ${d1} rebuilt`);
  expect(await convertingChannel(d1)).toEqual([{ channel: 'paid_search', conversions: 1 }]);
  // Re-running the earlier day again changes nothing: the later day is current and left alone.
  expect((await nightly(d0)).summary).not.toContain(`${d1} rebuilt`);
});

test('a re-run of the earlier day while the later day waits for a review: it does not wait; the later day rebuilds before it ends', async () => {
  const { d0, d1, day0 } = await landTwoDays('2025-04-10', ['google', 'cpc']);
  // Day 1 also brings a negative order, so its nightly blocks and waits for a person.
  await landFile(
    w.deps.store,
    d1,
    'orders.ndjson',
    ordersNdjson([
      { id: `${d1}-o1`, client: 'x', at: `${d1} 00:05:00`, revenue: 80 },
      { id: `${d1}-oy`, client: 'y', at: `${d1} 10:05:00`, revenue: -15 },
    ]),
  );
  expect((await nightly(d0)).status).toBe('succeeded');
  const later = await env.client.workflow.start(NightlyPipeline, {
    taskQueue: w.taskQueue,
    workflowId: nightlyWorkflowId(d1),
    args: [{ date: d1, review: true }],
  });
  const review = env.client.workflow.getHandle(`cleaning-${d1}`);
  await awaitingPlan(() => review.query(cleaningApproval.query));

  // Day 0 is corrected and re-run while day 1 waits (a review may wait for hours): the re-run tells
  // day 1's run and ends, without waiting for it.
  await landFile(w.deps.store, d0, 'events.csv', eventsCsv(day0.map((e) => (e.utm ? { ...e, utm: ['newsletter', 'email'] as [string, string] } : e))));
  const rerun = await env.client.workflow.start(NightlyPipeline, {
    taskQueue: w.taskQueue,
    workflowId: nightlyWorkflowId(d0),
    args: [{ date: d0, review: false }],
  });
  const result = await rerun.result();
  expect(result.status).toBe('succeeded');
  expect(result.summary).toContain(`sessions of ${d1} continue ${d0}: told the run in progress (nightly-${d1})`);
  const history = await rerun.fetchHistory();
  expect(history.events!.filter((e) => e.timerStartedEventAttributes)).toEqual([]);
  expect((await review.query(cleaningApproval.query)).status).toBe('AwaitingApproval');

  // Accepted: day 1 publishes, then starts over from the corrected day 0 (its cleaning re-applied).
  expect(await decide(env.client, review.workflowId, { decision: 'accept', reason: 'a refund booked as an order' }, signers.bob)).toMatchObject({ ok: true });
  const done = await later.result();
  expect(done.status).toBe('succeeded');
  expect(done.summary).toContain(`re-run: its own sessions: ${d0} changed while this run built them`);
  expect(done.summary).toContain('cleaning plan v1 (accepted by bob) re-applied');
  expect(await convertingChannel(d1)).toEqual([{ channel: 'email', conversions: 1 }]);
}, 300_000);

test('a run told that data it read changed starts over before it succeeds, even when its own checks find nothing', async () => {
  const { d0, d1 } = await landTwoDays('2025-04-20', ['google', 'cpc']);
  await landFile(
    w.deps.store,
    d1,
    'orders.ndjson',
    ordersNdjson([
      { id: `${d1}-o1`, client: 'x', at: `${d1} 00:05:00`, revenue: 80 },
      { id: `${d1}-oy`, client: 'y', at: `${d1} 10:05:00`, revenue: -15 },
    ]),
  );
  expect((await nightly(d0)).status).toBe('succeeded');
  const later = await env.client.workflow.start(NightlyPipeline, {
    taskQueue: w.taskQueue,
    workflowId: nightlyWorkflowId(d1),
    args: [{ date: d1, review: true }],
  });
  const review = env.client.workflow.getHandle(`cleaning-${d1}`);
  await awaitingPlan(() => review.query(cleaningApproval.query));
  // What a re-run of an earlier day sends when this run holds nightly-<d1> (here nothing changed,
  // so only the signal can make the run start over).
  await later.signal(inputsChangedSignal, `FX rates delivered with ${d0} change its money`);
  expect(await decide(env.client, review.workflowId, { decision: 'accept', reason: 'a refund booked as an order' }, signers.bob)).toMatchObject({ ok: true });
  const done = await later.result();
  expect(done.status).toBe('succeeded');
  expect(done.summary).toMatch(new RegExp(`^re-run: FX rates delivered with ${d0} change its money · `));
  expect(done.summary).toContain('cleaning plan v1 (accepted by bob) re-applied');
  expect(await convertingChannel(d1)).toEqual([{ channel: 'paid_search', conversions: 1 }]);
  // The run that started over says so in ops.workflow_runs (not `running`, not `terminated`).
  const runs = await w.deps.warehouse.query<{ status: string }>(`select status from ops.workflow_runs where workflow_id = $wf order by started_at, status`, {
    wf: nightlyWorkflowId(d1),
  });
  expect(runs.map((r) => r.status)).toEqual(['continued', 'succeeded']);
}, 300_000);
