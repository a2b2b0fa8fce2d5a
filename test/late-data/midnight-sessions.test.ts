import { computeAttribution } from '../../activities/attribution/compute-attribution';
import { ATTRIBUTION_MODELS } from '../../activities/attribution/models';
import type { ActivityDeps } from '../../lib/deps';
import { event, freshDeps, insertRows, order, rows } from '../support/fixtures';
import { buildGoldDay, buildSilverDays } from './support';

/**
 * Issue #14.1: a visit crossing midnight UTC is ONE session, owned by the partition of its landing
 * hit, and its post-midnight part (delivered in the next day's file) keeps the landing channel.
 */
const D0 = '2026-11-01';
const D1 = '2026-11-02';
const in0 = { _partition_date: D0, _source_key: `landing/${D0}/events.csv` };
const in1 = { _partition_date: D1, _source_key: `landing/${D1}/events.csv` };

let deps: ActivityDeps;
beforeEach(async () => {
  deps = await freshDeps();
});
afterEach(async () => deps.warehouse.close());

/** x lands from paid search at 23:50 on D0 and buys at 00:05 on D1; the last two events are in D1's file. */
async function crossMidnightVisit([landing, ...more]: string[] = ['23:50:00', '23:56:00']) {
  await insertRows(deps.warehouse, 'bronze.events', [
    event('x', `${D0} ${landing}`, { ...in0, utm_source: 'google', utm_medium: 'cpc' }),
    ...more.map((t) => event('x', `${D0} ${t}`, { ...in0, event_type: 'add_to_cart' })),
    event('x', `${D1} 00:03:00`, { ...in1, event_type: 'checkout' }),
    event('x', `${D1} 00:05:00`, { ...in1, event_type: 'purchase', event_data: '{"order_id":"o1","revenue":80}' }),
    event('y', `${D1} 10:00:00`, { ...in1, referrer: 'https://www.google.com/' }),
  ]);
  await insertRows(deps.warehouse, 'bronze.orders', [order('o1', 'x', `${D1} 00:05:00`, 80, { _partition_date: D1 })]);
}

const sessionsOf = (date: string, client: string) =>
  rows<{ session_id: string; channel: string; has_purchase: boolean; event_count: number }>(
    deps.warehouse,
    `select session_id, channel, has_purchase, event_count from silver.sessions where partition_date = date '${date}' and client_id = '${client}' order by session_start_at`,
  );

test('a visit crossing midnight is one session: D1 keeps its landing channel and session id; gold and last touch credit paid search', async () => {
  await crossMidnightVisit();
  await buildSilverDays(deps, [D0, D1]);
  const [landed] = await sessionsOf(D0, 'x');
  expect(landed).toMatchObject({ channel: 'paid_search', has_purchase: false, event_count: 2 });
  expect(await rows(deps.warehouse, `select is_continuation from silver.sessions where client_id = 'x' order by partition_date`)).toEqual([
    { is_continuation: false },
    { is_continuation: true },
  ]);
  expect(await sessionsOf(D1, 'x')).toEqual([{ session_id: landed.session_id, channel: 'paid_search', has_purchase: true, event_count: 2 }]);

  await buildGoldDay(deps, D1);
  expect(await rows(deps.warehouse, `select channel, conversions, revenue from staging.channel_daily__20261102 order by channel`)).toEqual([
    { channel: 'organic_search', conversions: 0, revenue: 0 },
    { channel: 'paid_search', conversions: 1, revenue: 80 },
  ]);

  await computeAttribution(deps, { from: D1, to: D1, windowDays: 7, models: [...ATTRIBUTION_MODELS], halfLifeDays: 7, firstWeight: 0.4, lastWeight: 0.4 });
  // The visit is one touch (its landing), not a paid touch plus a 'direct' one at midnight.
  expect(
    await rows(
      deps.warehouse,
      `select model, channel, conversions_credited, touches from gold.attribution where model in ('last_touch', 'linear') order by model`,
    ),
  ).toEqual([
    { model: 'last_touch', channel: 'paid_search', conversions_credited: 1, touches: 1 },
    { model: 'linear', channel: 'paid_search', conversions_credited: 1, touches: 1 },
  ]);
});

test('the gap rule holds across midnight: exactly 30 minutes continues the visit, 30 minutes and 1 second starts a new one', async () => {
  // A one-hit visit at 23:33:00; the next event is at 00:03:00 in D1's file, exactly 30 minutes later.
  await crossMidnightVisit(['23:33:00']);
  await buildSilverDays(deps, [D0, D1]);
  expect((await sessionsOf(D1, 'x')).map((s) => s.channel)).toEqual(['paid_search']);

  await deps.warehouse.close();
  deps = await freshDeps();
  await crossMidnightVisit(['23:32:59']);
  await buildSilverDays(deps, [D0, D1]);
  const [own] = await sessionsOf(D1, 'x');
  expect(own.channel).toBe('direct');
  expect(own.session_id).not.toBe((await sessionsOf(D0, 'x'))[0].session_id);
});

test('a visit that spans two midnights keeps the landing of its first day (the continuation carries it on)', async () => {
  const D2 = '2026-11-03';
  const in2 = { _partition_date: D2, _source_key: `landing/${D2}/events.csv` };
  const hits = [event('z', `${D0} 23:50:00`, { ...in0, utm_source: 'newsletter', utm_medium: 'email' })];
  // One event every 20 minutes from D1 00:05 until D2 00:10: a bot-like visit across two midnights.
  for (let t = Date.parse(`${D1}T00:05:00Z`); t <= Date.parse(`${D2}T00:10:00Z`); t += 20 * 60_000) {
    const at = new Date(t).toISOString().replace('T', ' ').slice(0, 19);
    hits.push(event('z', at, at.startsWith(D2) ? in2 : in1));
  }
  await insertRows(deps.warehouse, 'bronze.events', hits);
  await buildSilverDays(deps, [D0, D1, D2]);
  const ids = new Set<string>();
  for (const d of [D0, D1, D2]) {
    const s = await sessionsOf(d, 'z');
    expect(s.map((x) => x.channel)).toEqual(['email']);
    ids.add(s[0].session_id);
  }
  expect(ids.size).toBe(1);
});

test('the continuation check says when a partition no longer agrees with the day before, and agrees again after a rebuild', async () => {
  const { createLateDataActivities } = await import('../../activities/late-data');
  const late = createLateDataActivities(deps);
  expect(await late.sessionContinuationState({ date: D1 })).toEqual({ state: 'absent', clients: 0 });
  await crossMidnightVisit();
  // A backfill order: D1 first (nothing of D0 yet), then D0.
  await buildSilverDays(deps, [D1]);
  expect((await sessionsOf(D1, 'x')).map((s) => s.channel)).toEqual(['direct']);
  expect(await late.sessionContinuationState({ date: D1 })).toEqual({ state: 'current', clients: 0 });
  await buildSilverDays(deps, [D0]);
  expect(await late.sessionContinuationState({ date: D1 })).toEqual({ state: 'stale', clients: 1 });
  await buildSilverDays(deps, [D1]);
  expect(await late.sessionContinuationState({ date: D1 })).toEqual({ state: 'current', clients: 0 });
  // The landing's channel changes on D0 (a corrected delivery): D1's continuation is stale again.
  await deps.warehouse.exec(`update silver.sessions set channel = 'email' where partition_date = date '${D0}' and client_id = 'x'`);
  expect(await late.sessionContinuationState({ date: D1 })).toEqual({ state: 'stale', clients: 1 });
});

test('a visit last seen exactly one gap before midnight is still open at midnight: an event at 00:00:00 continues it', async () => {
  await insertRows(deps.warehouse, 'bronze.events', [
    event('m', `${D0} 23:30:00`, { ...in0, utm_source: 'newsletter', utm_medium: 'email' }),
    event('m', `${D1} 00:00:00`, in1),
    event('n', `${D0} 23:29:59`, { ...in0, utm_source: 'newsletter', utm_medium: 'email' }),
    event('n', `${D1} 00:00:00`, in1),
  ]);
  await buildSilverDays(deps, [D0, D1]);
  expect((await sessionsOf(D1, 'm')).map((s) => s.channel)).toEqual(['email']);
  expect((await sessionsOf(D1, 'n')).map((s) => s.channel)).toEqual(['direct']);
});
