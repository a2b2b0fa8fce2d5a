import { DEFAULT_SETTINGS } from '../../activities/attribution/models';
import { randomUUID } from 'node:crypto';
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import { ScheduleOverlapPolicy, WorkflowFailedError } from '@temporalio/client';
import { ActivityFailure, ChildWorkflowFailure, RetryState } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { MockActivityEnvironment, defaultActivityInfo } from '@temporalio/testing';
import { buildModel } from '../../activities/transform/build-model';
import { publishGold, type PublishGoldResult } from '../../activities/transform/publish-gold';
import { loadConfig } from '../../config/config';
import { AesGcmCodec } from '../../lib/codec/aes-gcm-codec';
import { isoDate } from '../../lib/dates';
import { nightlyScheduleOptions, robynScheduleOptions } from '../../temporal/schedules';
import { Backfill } from '../../workflows/backfill';
import { rootCause } from '../../workflows/shared/failure';
import { D, event, freshDeps, insertRows, order } from '../support/fixtures';
import { bundleWorkflowCode } from '@temporalio/worker';
import { createDagWorker } from '../../workers/worker';
import { loadBronzeFile } from '../../activities/ingest/load-bronze';
import { runChecks } from '../../activities/quality/run-checks';
import { DEFAULT_DRIFT_THRESHOLDS, decideDrift, isFeatureDrifted, type FeatureDrift } from '../../personas/drift-stats';
import { signDecision } from '../../lib/approvals/client';
import { approvalPolicy } from '../../lib/approvals/policy';
import { hashSubject } from '../../lib/approvals/protocol';
import { evaluateDecision, parseDecision } from '../../lib/approvals/rules';
import { SUBJECTS } from '../../lib/approvals/subjects';
import { APPROVERS, signers } from '../security/approvers';
import { approvalDefinitions } from '../../workflows/shared/approval';
import type { ActivityDeps } from '../../lib/deps';
import { attribute, buildSilver, credits, land, purchase, visit } from '../attribution/support';
import { createTestEnv, quietLogger, runWorker, type TestEnv, type TestWorker } from '../support/temporal';
import { scaled, waitFor } from '../support/time';
import { ApprovalWait } from './support/approval-wait-workflow';

/**
 * Policies a careless one-character change would break, each pinned by a test that fails when
 * it changes (scripts/mutants.ts applies such changes one at a time and checks they are caught).
 * The policies of issue #15 point 8, and where each is pinned:
 *   session-gap boundary (a gap of exactly the limit continues the session) ........ here
 *   position-based split with unequal first/last weights, two touches and more ....... here
 *   drift rule (PSI or normalised Wasserstein per feature; ≥ half the features) ....... here
 *   approval timeout counted from the request, not restarted by a signal .............. here
 *   generation skip: only a generation whose latest decision loaded or failed it ...... here
 *   backfill `only` (missing never re-runs a blocked date) ............................ here
 *   schedule overlap policies ......................................................... here
 *   AES-GCM nonce uniqueness .......................................................... here
 *   whitespace-only ids are missing ................................................... here
 *   orphan-purchase check scoped to the partition's day ............................... here
 *   and more the README names: check boundaries, four-eyes by default, channel from the landing hit,
 *   backfill concurrency, the publication ledger, date bounds
 * (Also pinned elsewhere: channel grouping and the 29/31-minute gap in test/sql/silver-models,
 * the inclusive attribution window in test/attribution/edge-cases, four-eyes and the approval
 * deadline's inclusive boundary in test/security/approval-rules.)
 */

test('AES-GCM: a fresh 96-bit nonce per payload — the same payload never encrypts to the same bytes', async () => {
  const codec = new AesGcmCodec(Buffer.alloc(32, 9));
  const payload = { metadata: { encoding: Buffer.from('json/plain') }, data: Buffer.from('{"secret":"the same every time"}') };
  const encoded = await codec.encode(Array.from({ length: 50 }, () => payload));
  const nonces = new Set(encoded.map((p) => Buffer.from(p.data!).subarray(0, 12).toString('hex')));
  expect(nonces.size).toBe(50);
  expect(new Set(encoded.map((p) => Buffer.from(p.data!).toString('hex'))).size).toBe(50);
  // iv(12) | ciphertext | tag(16), and it decodes back.
  expect(encoded[0].data!.length).toBe(12 + temporal.api.common.v1.Payload.encode(payload).finish().length + 16);
  expect(Buffer.from((await codec.decode([encoded[0]]))[0].data!).toString()).toBe('{"secret":"the same every time"}');
});

test('schedules: the nightly never skips a night (ALLOW_ALL, 3-day catch-up); Robyn runs one at a time per country (SKIP, 1 day)', () => {
  const config = loadConfig({ DAG_DATA_DIR: '/tmp/policies' }, '/');
  expect(nightlyScheduleOptions(config).policies).toEqual({ overlap: ScheduleOverlapPolicy.ALLOW_ALL, catchupWindow: '3 days', pauseOnFailure: false });
  expect(robynScheduleOptions(config, { country: 'DE' }).policies).toEqual({
    overlap: ScheduleOverlapPolicy.SKIP,
    catchupWindow: '1 day',
    pauseOnFailure: false,
  });
  expect(nightlyScheduleOptions(config).spec).toEqual({ cronExpressions: ['0 2 * * *'], timezone: 'UTC' });
});

test('dates: within 1900-01-01..2199-12-31 always; partitions within 2000-01-01..2099-12-31 by default', () => {
  const ok = (d: string) => isoDate.safeParse(d).success;
  expect(['1900-01-01', '2199-12-31', '2026-02-28'].map(ok)).toEqual([true, true, true]);
  expect(['1899-12-31', '2200-01-01', '0001-01-01', '9999-12-31', '2026-02-29'].map(ok)).toEqual([false, false, false, false, false]);
  expect(loadConfig({}, '/').pipeline).toMatchObject({ partitionMin: '2000-01-01', partitionMax: '2099-12-31' });
});

test('root cause: the innermost message, named by the innermost activity or child workflow', () => {
  const app = ApplicationFailure.nonRetryable('Binder Error: table x has 5 columns\nLINE 1: insert', 'SqlError');
  const activity = new ActivityFailure('Activity task failed', 'publishGold', '7', RetryState.NON_RETRYABLE_FAILURE, 'worker', app);
  const child = new ChildWorkflowFailure('default', { workflowId: 'attribution-x', runId: 'r' }, 'Attribution', RetryState.NON_RETRYABLE_FAILURE, activity);
  const top = new WorkflowFailedError('Workflow execution failed', child, RetryState.NON_RETRYABLE_FAILURE);
  expect(rootCause(top)).toBe('publishGold: Binder Error: table x has 5 columns — LINE 1: insert');
  expect(rootCause(new WorkflowFailedError('Workflow execution failed', new CancelledFailure('cancelled by alice'), RetryState.NON_RETRYABLE_FAILURE))).toBe(
    'cancelled by alice',
  );
  expect(rootCause(new Error('x'.repeat(600)))).toHaveLength(500);
});

test('publishGold retried by the run that already published reports that publication and writes nothing', async () => {
  const deps = await freshDeps();
  try {
    await insertRows(deps.warehouse, 'bronze.events', [event('c1', `${D} 10:00:00`), event('c1', `${D} 10:05:00`, { event_type: 'purchase' })]);
    await insertRows(deps.warehouse, 'bronze.orders', [order('o1', 'c1', `${D} 10:05:00`, 42)]);
    for (const model of ['fx_rates', 'events', 'order_items', 'orders', 'sessions', 'customer_snapshots', 'customers'])
      await buildModel(deps, { date: D, layer: 'silver', model });
    for (const model of ['channel_daily', 'customer_rfm', 'daily_kpis', 'funnel_daily', 'monthly_revenue'])
      await buildModel(deps, { date: D, layer: 'gold', model });
    const run = new MockActivityEnvironment({ ...defaultActivityInfo, workflowExecution: { workflowId: `nightly-${D}`, runId: randomUUID() } });
    const first = (await run.run(publishGold, deps, { date: D })) as PublishGoldResult;
    const gold = await deps.warehouse.query(`select * from gold.daily_kpis order by all`);
    const again = await run.run(publishGold, deps, { date: D }); // staging is gone by now
    expect(again).toEqual({ ...first, alreadyPublished: true });
    expect(await deps.warehouse.query(`select * from gold.daily_kpis order by all`)).toEqual(gold);
    expect(await deps.warehouse.query(`select count(*) as n from ops.gold_publications`)).toEqual([{ n: 1 }]);
    // Another run of the same date has no staging and publishes nothing: it fails instead.
    const other = new MockActivityEnvironment({ ...defaultActivityInfo, workflowExecution: { workflowId: `nightly-${D}`, runId: randomUUID() } });
    await expect(other.run(publishGold, deps, { date: D })).rejects.toThrow(/does not exist/);
    // Re-run with fresh staging, the newest date replaces the whole-table marts again (newest = not older than the last published).
    for (const model of ['channel_daily', 'customer_rfm', 'daily_kpis', 'funnel_daily', 'monthly_revenue'])
      await buildModel(deps, { date: D, layer: 'gold', model });
    expect(((await other.run(publishGold, deps, { date: D })) as PublishGoldResult).skipped).toEqual([]);
  } finally {
    await deps.warehouse.close();
  }
});

test('four-eyes is on by default: under the default configuration the requester cannot decide their own request', async () => {
  const policy = approvalPolicy(loadConfig({ DAG_DATA_DIR: '/tmp/policies', DAG_APPROVERS: APPROVERS, DAG_LOCAL_APPROVER: 'false' }, '/'));
  const now = Date.now();
  const toSign = { workflowId: 'cleaning-2026-11-01', runId: 'r', subjectKind: 'cleaning-plan' as const, version: 1, subjectHash: hashSubject({ plan: 1 }) };
  const parsed = parseDecision(await signDecision(toSign, { decision: 'accept' }, signers.bob, new Date(now)));
  if (!parsed.ok) throw new Error(parsed.problem);
  const pending = { noun: 'plan', toSign, requestedAt: now - 1000, deadline: now + 60_000 };
  expect(evaluateDecision({ ...pending, requester: 'bob' }, policy, parsed.decision, now).refusal).toBe(
    'four-eyes: bob requested this and cannot also decide it',
  );
  expect(evaluateDecision({ ...pending, requester: 'system:nightly' }, policy, parsed.decision, now)).toMatchObject({ verifiedApprover: 'bob' });
});

describe('in the warehouse', () => {
  let deps: ActivityDeps;
  beforeEach(async () => {
    deps = await freshDeps();
  });
  afterEach(async () => deps?.warehouse.close());

  test('session gap: exactly 30 minutes of silence continues the session; 30 minutes and 1 second starts a new one', async () => {
    await insertRows(deps.warehouse, 'bronze.events', [
      event('at', `${D} 10:00:00`),
      event('at', `${D} 10:30:00`),
      event('over', `${D} 10:00:00`),
      event('over', `${D} 10:30:01`),
    ]);
    for (const model of ['fx_rates', 'events', 'sessions']) await buildModel(deps, { date: D, layer: 'silver', model });
    expect(await deps.warehouse.query(`select client_id, count(*) as sessions from silver.sessions group by all order by all`)).toEqual([
      { client_id: 'at', sessions: 1 },
      { client_id: 'over', sessions: 2 },
    ]);
  });

  test('channel from the landing hit only: campaign parameters on a later hit of the same session do not change it', async () => {
    await insertRows(deps.warehouse, 'bronze.events', [
      event('direct_then_cpc', `${D} 09:00:00`),
      event('direct_then_cpc', `${D} 09:05:00`, { utm_source: 'google', utm_medium: 'cpc', referrer: 'https://www.google.com/' }),
      event('mail_then_cpc', `${D} 10:00:00`, { utm_source: 'newsletter', utm_medium: 'email' }),
      event('mail_then_cpc', `${D} 10:05:00`, { utm_source: 'google', utm_medium: 'cpc' }),
    ]);
    for (const model of ['fx_rates', 'events', 'sessions']) await buildModel(deps, { date: D, layer: 'silver', model });
    expect(await deps.warehouse.query(`select client_id, channel, utm_medium, referrer_host from silver.sessions order by all`)).toEqual([
      { client_id: 'direct_then_cpc', channel: 'direct', utm_medium: null, referrer_host: null },
      { client_id: 'mail_then_cpc', channel: 'email', utm_medium: 'email', referrer_host: null },
    ]);
  });

  test('position-based with first 60 % / last 20 %: two touches split 3:1 (first:last), three 60/20/20, four 60/10/10/20', async () => {
    await land(
      deps,
      [
        visit('two', 'email', '2026-11-13 09:00:00'),
        visit('two', 'paid_search', '2026-11-15 09:00:00'),
        visit('three', 'email', '2026-11-13 10:00:00'),
        visit('three', 'direct', '2026-11-14 10:00:00'),
        visit('three', 'paid_search', '2026-11-15 10:00:00'),
        visit('four', 'email', '2026-11-12 11:00:00'),
        visit('four', 'direct', '2026-11-13 11:00:00'),
        visit('four', 'organic_search', '2026-11-14 11:00:00'),
        visit('four', 'paid_social', '2026-11-15 11:00:00'),
      ],
      [
        purchase('o2', 'two', '2026-11-15 12:00:00', 100),
        purchase('o3', 'three', '2026-11-15 12:00:00', 200),
        purchase('o4', 'four', '2026-11-15 12:00:00', 400),
      ],
    );
    await buildSilver(deps, ['2026-11-12', '2026-11-13', '2026-11-14', '2026-11-15']);
    await attribute(deps, { from: '2026-11-15', to: '2026-11-15', models: ['position_based'], firstWeight: 0.6, lastWeight: 0.2 });
    const got = Object.fromEntries(
      (await credits(deps, 7, '2026-11-15', { ...DEFAULT_SETTINGS, firstWeight: 0.6, lastWeight: 0.2 })).map((c) => [
        c.channel,
        [c.conversions_credited, c.revenue_credited],
      ]),
    );
    expect(got).toEqual({
      // two: email 0.75 × 100, paid_search 0.25 × 100; three: email 0.6 × 200, direct 0.2, paid_search 0.2;
      // four: email 0.6 × 400, direct 0.1, organic_search 0.1, paid_social 0.2.
      email: [1.95, 435],
      paid_search: [0.45, 65],
      direct: [0.3, 80],
      organic_search: [0.1, 40],
      paid_social: [0.2, 80],
    });
  });

  test('orphan purchases: a session within the look-back (the day before) keeps an order from being orphaned', async () => {
    const yesterday = '2026-10-31';
    await insertRows(deps.warehouse, 'bronze.events', [
      event('seen_yesterday', `${yesterday} 22:00:00`, { _partition_date: yesterday }),
      event('seen_today', `${D} 09:00:00`),
    ]);
    await insertRows(deps.warehouse, 'bronze.orders', [
      order('o_yesterday_orphan', 'nobody', `${yesterday} 12:00:00`, 5, { _partition_date: yesterday }),
      order('o_seen_yesterday', 'seen_yesterday', `${D} 08:00:00`, 10),
      order('o_seen_today', 'seen_today', `${D} 09:05:00`, 20),
    ]);
    await buildSilver(deps, [yesterday, D]);
    const outcome = await runChecks(deps, { date: D, stage: 'silver', runId: `policy-${randomUUID()}` });
    // Since late data (#14) the check looks back DAG_CHECK_SESSION_LOOKBACK_DAYS (30) of sessions: yesterday's session counts.
    expect(outcome.results.find((r) => r.check === 'orphan_purchases')).toMatchObject({ observed: 0, sample: '0 of 2 orders', status: 'pass' });
  });

  test('whitespace-only ids are missing (quarantined); an id with blanks around it is present', async () => {
    const header = 'event_id,client_id,event_type,event_ts,page_url,referrer,utm_source,utm_medium,utm_campaign,device,event_data';
    const line = (id: string, client: string) => `${id},${client},page_view,${D}T10:00:00Z,https://shop.example.com/,,,,,mobile,`;
    const key = `landing/${D}/events.csv`;
    await deps.store.put(
      key,
      Buffer.from(
        [header, line('e1', 'c1'), line('e2', '" "'), line('e3', '"   "'), line('e4', '""'), line('e5', '" c5 "'), line('"  "', 'c6'), ''].join('\n'),
      ),
    );
    const r = await loadBronzeFile(deps, { date: D, source: 'events', key });
    expect(r).toMatchObject({ status: 'loaded', rowsRead: 6, rowsLoaded: 2, rowsQuarantined: 4 });
    expect(await deps.warehouse.query(`select reasons from ops.quarantine order by line`)).toEqual([
      { reasons: 'client_id: missing' },
      { reasons: 'client_id: missing' },
      { reasons: 'client_id: missing' },
      { reasons: 'event_id: missing' },
    ]);
    expect(await deps.warehouse.query(`select event_id from bronze.events order by all`)).toEqual([{ event_id: 'e1' }, { event_id: 'e5' }]);
  });

  test('check boundaries: future_timestamps allows 1 h of skew after the day and 7 days before it; freshness at 6 h, a quarantine rate of 5 % and a free order pass', async () => {
    await insertRows(deps.warehouse, 'bronze.events', [
      event('a', '2026-11-02 00:59:59', { event_id: 'skew_ok' }),
      event('a', '2026-11-02 01:00:00', { event_id: 'skew_over' }),
      event('a', '2026-10-25 00:00:00', { event_id: 'week_ok' }),
      event('a', '2026-10-24 23:59:59', { event_id: 'week_over' }),
      event('a', `${D} 18:00:00`, { event_id: 'last_of_the_day' }),
    ]);
    await insertRows(deps.warehouse, 'bronze.orders', [order('o1', 'a', `${D} 18:00:00`, 10), order('free_sample', 'a', `${D} 18:00:00`, 0)]);
    await insertRows(deps.warehouse, 'ops.load_audit', [
      { partition_date: D, source: 'events', source_key: 'k', status: 'loaded', rows_read: 100, rows_quarantined: 5, loaded_at: `${D} 23:00:00` },
    ]);
    await buildSilver(deps, [D]);
    const outcome = await runChecks(deps, { date: D, stage: 'silver', runId: `policy-${randomUUID()}` });
    const of = (check: string) => outcome.results.find((r) => r.check === check);
    // A rate of the day's events since late data (#14); the boundaries are what this pins: exactly the two over them.
    expect(of('future_timestamps')).toMatchObject({ observed: 0.4, sample: '2 of 5 events: skew_over, week_over', status: 'fail' });
    expect(of('freshness')).toMatchObject({ observed: 6, threshold: 6, status: 'pass' });
    expect(of('negative_revenue')).toMatchObject({ observed: 0, status: 'pass' }); // a free order is not negative
    expect(of('quarantine_rate')).toMatchObject({ status: 'pass' }); // 5 of 100 rows: at the threshold, not above it
  });

  test('generation skip: a generation whose latest decision loaded or failed it is skipped; a duplicate is decided again', async () => {
    const header = 'event_id,client_id,event_type,event_ts,page_url,referrer,utm_source,utm_medium,utm_campaign,device,event_data';
    const csv = (id: string) => Buffer.from(`${header}\n${id},c1,page_view,${D}T10:00:00Z,,,,,,mobile,\n`);
    const status = async (date: string, key: string) => (await loadBronzeFile(deps, { date, source: 'events', key })).status;
    const other = '2026-11-02';
    const mine = `landing/${D}/events.csv`;
    const theirs = `landing/${other}/events.csv`;
    // The same bytes already live under another date: a duplicate, which holds nothing here.
    await deps.store.put(theirs, csv('e1'));
    await deps.store.put(mine, csv('e1'));
    expect([await status(other, theirs), await status(D, mine)]).toEqual(['loaded', 'duplicate_file']);
    // The other date's object changes: the SAME generation here is decided again — and now loads; then it is skipped.
    await deps.store.put(theirs, csv('e2'));
    expect([await status(other, theirs), await status(D, mine), await status(D, mine)]).toEqual(['replaced', 'loaded', 'skipped_same_generation']);
    // An unreadable object fails once; its generation is not read again (it keeps blocking through files_failed).
    const broken = `landing/${D}/events-broken.csv.gz`;
    await deps.store.put(broken, Buffer.from('this is not gzip at all'));
    expect([await status(D, broken), await status(D, broken)]).toEqual(['failed', 'skipped_same_generation']);
    expect(await deps.warehouse.query(`select event_id from bronze.events where _partition_date = date '2026-11-01'`)).toEqual([{ event_id: 'e1' }]);
  });
});

test('drift: a feature drifts when PSI OR normalised Wasserstein is above its threshold (equal is not above); KS only when given a threshold', () => {
  const t = DEFAULT_DRIFT_THRESHOLDS;
  const f = (over: Partial<FeatureDrift>): Omit<FeatureDrift, 'drifted'> => ({
    feature: 'x1',
    psi: 0,
    ks: 0,
    wassersteinNorm: 0,
    referenceMean: 0,
    currentMean: 0,
    ...over,
  });
  expect(t).toMatchObject({ psi: 0.25, wassersteinNorm: 0.1, ks: null, driftedFeatureShare: 0.5 });
  expect(isFeatureDrifted(f({}), t)).toBe(false);
  expect(isFeatureDrifted(f({ psi: 0.25, wassersteinNorm: 0.1 }), t)).toBe(false);
  expect(isFeatureDrifted(f({ psi: 0.2501 }), t)).toBe(true);
  expect(isFeatureDrifted(f({ wassersteinNorm: 0.1001 }), t)).toBe(true);
  expect(isFeatureDrifted(f({ ks: 0.99 }), t)).toBe(false);
  expect(isFeatureDrifted(f({ ks: 0.31 }), { ...t, ks: 0.3 })).toBe(true);
  expect(isFeatureDrifted(f({ ks: 0.3 }), { ...t, ks: 0.3 })).toBe(false);
});

test('drift: the dataset drifts when at least half of the features drift, or the persona labels moved beyond their thresholds', () => {
  const t = DEFAULT_DRIFT_THRESHOLDS;
  const features = (drifted: number, of: number): FeatureDrift[] =>
    Array.from({ length: of }, (_, i) => ({ feature: `x${i + 1}`, psi: 0, ks: 0, wassersteinNorm: 0, referenceMean: 0, currentMean: 0, drifted: i < drifted }));
  expect(decideDrift(features(5, 10), null, t)).toEqual({ isDrift: true, reasons: ['5/10 features drifted (≥ 50.0%)'], driftedShare: 0.5 });
  expect(decideDrift(features(4, 10), null, t)).toEqual({ isDrift: false, reasons: [], driftedShare: 0.4 });
  const calm = { unassignedShare: 0.1, referenceUnassignedShare: 0.05, meanDistanceShift: 0.25, labelPsi: 0.25 };
  expect(decideDrift(features(0, 10), calm, t).isDrift).toBe(false);
  expect(decideDrift(features(0, 10), { ...calm, unassignedShare: 0.1001 }, t).reasons).toEqual(['unassigned share 10.0% vs 5.0% (+5.0% > 5.0%)']);
  expect(decideDrift(features(0, 10), { ...calm, meanDistanceShift: 0.2501 }, t).reasons).toEqual(['mean distance to assigned centroid +25.0% (> 25.0%)']);
  expect(decideDrift(features(0, 10), { ...calm, labelPsi: 0.2501 }, t).reasons).toEqual(['persona mix PSI 0.250 (> 0.25)']);
});

describe('on the dev server', () => {
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

  test('the worker heartbeats at least every 2 s (cancellation arrives with a heartbeat answer)', () => {
    expect(w.worker.options).toMatchObject({ maxHeartbeatThrottleIntervalMs: 2000, defaultHeartbeatThrottleIntervalMs: 2000 });
  });

  test('approval timeout: counted from the request — a decision that does not count (here: not an approver) does not restart it', async () => {
    const { code } = await bundleWorkflowCode({ workflowsPath: require.resolve('./support/approval-wait-workflow'), logger: quietLogger });
    const taskQueue = `policy-approval-${randomUUID()}`;
    const worker = await createDagWorker({ connection: env.connection, deps: w.deps, taskQueue, workflowBundle: { code } });
    const stop = runWorker(worker);
    try {
      const timeoutMs = scaled(6_000);
      const h = await env.client.workflow.start(ApprovalWait, {
        taskQueue,
        workflowId: `policy-approval-${randomUUID()}`,
        args: [{ timeoutMs, approvers: ['alice'] }],
      });
      const defs = approvalDefinitions(SUBJECTS['persona-model']);
      const requestedAt = await waitFor('the subject awaits a decision', async () => {
        const state = await h.query(defs.query);
        return state.status === 'AwaitingApproval' && state.requestedAt ? Date.parse(state.requestedAt) : undefined;
      });
      // Half of the timeout passes, then a decision that is recorded and ignored arrives.
      await waitFor('half of the approval timeout has passed', async () => Date.now() >= requestedAt + timeoutMs / 2, { timeoutMs: 60_000 });
      await h.signal(defs.signal, { decision: 'accept', approver: 'mallory', version: 1 });
      const { final, history, deadline } = await h.result();
      const ignored = history.find((r) => r.outcome === 'ignored')!;
      expect(ignored).toMatchObject({ approver: 'mallory', ignoredReason: expect.stringContaining('not an approver') });
      expect(Date.parse(ignored.at)).toBeLessThan(Date.parse(deadline!)); // it came while the wait was on
      expect(final).toMatchObject({ approver: 'system:timeout', via: 'timeout', decision: 'reject' });
      expect(Date.parse(deadline!)).toBe(requestedAt + timeoutMs);
      // Restarted by the signal, the timeout would end no earlier than ignored.at + timeout.
      expect(Date.parse(final.at)).toBeLessThan(Date.parse(ignored.at) + timeoutMs);
      expect(Date.parse(final.at)).toBeGreaterThanOrEqual(requestedAt + timeoutMs);
    } finally {
      await stop();
    }
  });

  test('backfill runs at most maxConcurrent dates at once (default 2)', async () => {
    const h = await env.client.workflow.start(Backfill, {
      taskQueue: w.taskQueue,
      workflowId: `policy-backfill-${randomUUID()}`,
      args: [{ from: '2024-03-01', to: '2024-03-04', review: false }],
    });
    const result = await h.result();
    expect(Object.keys(result.done).sort()).toEqual(['2024-03-01', '2024-03-02', '2024-03-03', '2024-03-04']);
    // Children in flight, walking the backfill's history: +1 when one is started, -1 when it closes.
    let inFlight = 0;
    let most = 0;
    for (const e of (await h.fetchHistory()).events ?? []) {
      if (e.startChildWorkflowExecutionInitiatedEventAttributes) most = Math.max(most, ++inFlight);
      const closed =
        e.childWorkflowExecutionCompletedEventAttributes ??
        e.childWorkflowExecutionFailedEventAttributes ??
        e.childWorkflowExecutionCanceledEventAttributes ??
        e.childWorkflowExecutionTerminatedEventAttributes ??
        e.childWorkflowExecutionTimedOutEventAttributes ??
        e.startChildWorkflowExecutionFailedEventAttributes;
      if (closed) inFlight--;
    }
    expect([most, inFlight]).toEqual([2, 0]);
  });

  test('backfill `only`: missing = never run; failed-or-missing adds blocked, failed, cancelled and terminated; all = every date', async () => {
    const ledger: [string, string][] = [
      ['2025-01-01', 'succeeded'],
      ['2025-01-02', 'blocked'],
      ['2025-01-03', 'failed'],
      ['2025-01-04', 'cancelled'],
      ['2025-01-05', 'terminated'],
    ];
    for (const [d, status] of ledger)
      await w.deps.warehouse.exec(`insert into ops.pipeline_runs values (cast($d as date), 'w', $run, $status, '', current_timestamp)`, {
        d,
        run: randomUUID(),
        status,
      });
    // A date blocked once and then succeeded counts as succeeded (the latest run wins).
    await w.deps.warehouse.exec(`insert into ops.pipeline_runs values (date '2025-01-06', 'w', 'r1', 'blocked', '', timestamp '2025-01-07 00:00:00')`);
    await w.deps.warehouse.exec(`insert into ops.pipeline_runs values (date '2025-01-06', 'w', 'r2', 'succeeded', '', timestamp '2025-01-08 00:00:00')`);
    const plan = async (only: string) =>
      (
        await env.client.workflow.execute(Backfill, {
          taskQueue: w.taskQueue,
          workflowId: `policy-backfill-${randomUUID()}`,
          args: [{ from: '2025-01-01', to: '2025-01-07', only: only as never, dryRun: true }],
        })
      ).plan;
    expect(await plan('missing')).toEqual(['2025-01-07']);
    expect(await plan('failed-or-missing')).toEqual(['2025-01-02', '2025-01-03', '2025-01-04', '2025-01-05', '2025-01-07']);
    expect(await plan('all')).toEqual(['2025-01-01', '2025-01-02', '2025-01-03', '2025-01-04', '2025-01-05', '2025-01-06', '2025-01-07']);
  });
});
