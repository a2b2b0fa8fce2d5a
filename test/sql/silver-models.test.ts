import { buildModel, modelParams } from '../../activities/transform/build-model';
import { renderSqlFile } from '../../lib/sql/render';
import { bootstrapWarehouse } from '../../lib/bootstrap';
import { loadBronzeFile } from '../../activities/ingest/load-bronze';
import type { ActivityDeps } from '../../lib/deps';
import { discoverModels, planWaves } from '../../lib/sql/models';
import { D, event, freshDeps, insertRows, order, rows } from '../support/fixtures';

let deps: ActivityDeps;
beforeEach(async () => {
  deps = await freshDeps();
});
afterEach(async () => deps.warehouse.close());

// Events and orders convert money with silver.fx_rates, so it is built first (as the nightly's first wave does).
const silver = async (...models: string[]) => {
  for (const model of ['fx_rates', ...models]) await buildModel(deps, { date: D, layer: 'silver', model });
};

test('the run order is derived from the SQL: events before sessions, order_items before orders', () => {
  const waves = planWaves(discoverModels('silver')).map((w) => w.map((m) => m.name));
  const waveOf = (m: string) => waves.findIndex((w) => w.includes(m));
  expect(waveOf('events')).toBeLessThan(waveOf('sessions'));
  expect(waveOf('order_items')).toBeLessThan(waveOf('orders'));
  expect(discoverModels('silver').find((m) => m.name === 'sessions')!.dependsOn).toEqual(['silver.events']);
});

test('a client with events 29 minutes apart has one session; 31 minutes apart, two', async () => {
  await insertRows(deps.warehouse, 'bronze.events', [
    event('a', '2026-11-01 10:00:00'),
    event('a', '2026-11-01 10:29:00'),
    event('b', '2026-11-01 10:00:00'),
    event('b', '2026-11-01 10:31:00'),
    event('c', '2026-11-01 10:00:00'),
    event('c', '2026-11-01 10:29:00'),
    event('c', '2026-11-01 11:00:00'),
  ]);
  await silver('events', 'sessions');
  const got = await rows(deps.warehouse, `select client_id, count(*) as sessions from silver.sessions group by client_id order by client_id`);
  expect(got).toEqual([
    { client_id: 'a', sessions: 1 },
    { client_id: 'b', sessions: 2 },
    { client_id: 'c', sessions: 2 },
  ]);
  const c = await rows(
    deps.warehouse,
    `select session_number, event_count, cast(session_start_at as varchar) as s, cast(session_end_at as varchar) as e, duration_seconds from silver.sessions where client_id = 'c' order by 1`,
  );
  expect(c).toEqual([
    { session_number: 1, event_count: 2, s: '2026-11-01 10:00:00', e: '2026-11-01 10:29:00', duration_seconds: 1740 },
    { session_number: 2, event_count: 1, s: '2026-11-01 11:00:00', e: '2026-11-01 11:00:00', duration_seconds: 0 },
  ]);
});

test('the gap is configurable (DAG_SESSION_GAP_MINUTES)', async () => {
  await deps.warehouse.close();
  deps = await freshDeps({ DAG_SESSION_GAP_MINUTES: '20' });
  await insertRows(deps.warehouse, 'bronze.events', [event('a', '2026-11-01 10:00:00'), event('a', '2026-11-01 10:29:00')]);
  await silver('events', 'sessions');
  expect(await rows(deps.warehouse, `select count(*) as n from silver.sessions`)).toEqual([{ n: 2 }]);
});

test('channel grouping follows the documented rule, from the landing hit only', async () => {
  const land = (client: string, over: Record<string, string | null>) => [
    event(client, '2026-11-01 09:00:00', over),
    event(client, '2026-11-01 09:01:00', { referrer: 'https://shop.example.com/', utm_medium: null }),
  ];
  await insertRows(deps.warehouse, 'bronze.events', [
    ...land('paid', { utm_source: 'google', utm_medium: 'CPC' }),
    ...land('social', { utm_source: 'facebook', utm_medium: 'paid_social' }),
    ...land('fbpaid', { utm_source: 'instagram', utm_medium: 'paid' }),
    ...land('mail', { utm_source: 'newsletter', utm_medium: 'email' }),
    ...land('disp', { utm_source: 'dv360', utm_medium: 'display' }),
    ...land('camp', { utm_source: 'partner', utm_medium: 'qr' }),
    ...land('seo', { referrer: 'https://www.google.com/' }),
    ...land('osoc', { referrer: 'https://t.co/abc' }),
    ...land('ref', { referrer: 'https://blog.example.org/post?x=1' }),
    ...land('self', { referrer: 'https://shop.example.com/cart' }),
    ...land('none', {}),
  ]);
  await silver('events', 'sessions');
  const got = Object.fromEntries(
    (await rows<{ client_id: string; channel: string }>(deps.warehouse, `select client_id, channel from silver.sessions`)).map((r) => [r.client_id, r.channel]),
  );
  expect(got).toEqual({
    paid: 'paid_search',
    social: 'paid_social',
    fbpaid: 'paid_social',
    mail: 'email',
    disp: 'display',
    camp: 'other_campaign',
    seo: 'organic_search',
    osoc: 'organic_social',
    ref: 'referral',
    self: 'direct',
    none: 'direct',
  });
});

test('events: first occurrence of a duplicate wins, ids normalised, purchase JSON parsed', async () => {
  await insertRows(deps.warehouse, 'bronze.events', [
    event(' CL_1 ', '2026-11-01 10:00:00', { event_id: 'dup', device: 'desktop', _source_key: 'landing/2026-11-01/events-a.csv', _line: 9 }),
    event('cl_1', '2026-11-01 10:00:00', { event_id: 'dup', device: 'tablet', _source_key: 'landing/2026-11-01/events-b.csv', _line: 2 }),
    event('cl_1', '2026-11-01 10:05:00', {
      event_type: 'purchase',
      page_url: 'https://shop.example.com/checkout/thank-you?x=1',
      event_data: '{"order_id":"o1","revenue":100.456,"currency":"EUR","items":[{"sku":"a"},{"sku":"b"}]}',
    }),
  ]);
  await silver('events');
  expect(
    await rows(
      deps.warehouse,
      `select event_id, client_id, device, page_path, order_id, revenue, currency, item_count from silver.events order by event_at, event_id`,
    ),
  ).toEqual([
    { event_id: 'dup', client_id: 'cl_1', device: 'desktop', page_path: '/', order_id: null, revenue: null, currency: null, item_count: null },
    {
      event_id: expect.any(String),
      client_id: 'cl_1',
      device: 'mobile',
      page_path: '/checkout/thank-you',
      order_id: 'o1',
      revenue: 100.46,
      currency: 'EUR',
      item_count: 2,
    },
  ]);
});

test('timestamps with offsets are stored in UTC by the bronze contract', async () => {
  await deps.store.put(
    `landing/${D}/events.csv`,
    'event_id,client_id,event_type,event_ts\ne1,c,page_view,2026-11-01T12:00:00+02:00\ne2,c,page_view,2026-11-01T05:30:00-05:00\n',
  );
  await loadBronzeFile(deps, { date: D, source: 'events', key: `landing/${D}/events.csv` });
  await silver('events');
  expect(await rows(deps.warehouse, `select event_id, cast(event_at as varchar) as at from silver.events order by 1`)).toEqual([
    { event_id: 'e1', at: '2026-11-01 10:00:00' },
    { event_id: 'e2', at: '2026-11-01 10:30:00' },
  ]);
});

test('orders are joined with their lines; customers keep their latest update', async () => {
  await insertRows(deps.warehouse, 'bronze.orders', [
    order('o1', 'c1', '2026-11-01 10:00:00', 30),
    order('o1', 'c1', '2026-11-01 10:00:00', 999, { _line: 2 }),
    order('o2', 'c2', '2026-11-01 11:00:00', 5),
  ]);
  const item = (o: string, n: number, q: number, p: number) => ({
    order_id: o,
    line_no: n,
    sku: `s${n}`,
    quantity: q,
    unit_price: p,
    _partition_date: D,
    _source_key: 'k',
    _line: n,
    _loaded_at: '2026-11-02 00:00:00',
  });
  await insertRows(deps.warehouse, 'bronze.order_items', [item('o1', 1, 2, 10), item('o1', 2, 1, 10), item('o1', 2, 1, 10)]);
  const cust = (updated: string, email: string, partition: string) => ({
    customer_id: 'cu1',
    client_id: 'C1',
    email,
    country: 'de',
    created_at: '2026-01-01 00:00:00',
    updated_at: updated,
    _partition_date: partition,
    _source_key: 'k',
    _line: 1,
    _loaded_at: '2026-11-02 00:00:00',
  });
  await insertRows(deps.warehouse, 'bronze.customers', [
    cust('2026-10-01 00:00:00', 'old@x.com', '2026-10-01'),
    cust('2026-11-01 09:00:00', 'NEW@x.com', D),
    cust('2026-09-01 00:00:00', 'older@x.com', D),
  ]);
  await silver('order_items', 'orders', 'customer_snapshots', 'customers');
  expect(await rows(deps.warehouse, `select order_id, revenue, item_lines, item_quantity, items_amount from silver.orders order by 1`)).toEqual([
    { order_id: 'o1', revenue: 30, item_lines: 2, item_quantity: 3, items_amount: 30 },
    { order_id: 'o2', revenue: 5, item_lines: 0, item_quantity: 0, items_amount: null },
  ]);
  expect(await rows(deps.warehouse, `select customer_id, client_id, email, country from silver.customers`)).toEqual([
    { customer_id: 'cu1', client_id: 'c1', email: 'new@x.com', country: 'DE' },
  ]);
});

test('re-building a partition replaces its rows (idempotent)', async () => {
  await insertRows(deps.warehouse, 'bronze.events', [event('a', '2026-11-01 10:00:00'), event('b', '2026-11-01 10:00:00')]);
  await silver('events', 'sessions');
  await silver('events', 'sessions');
  expect(await rows(deps.warehouse, `select (select count(*) from silver.events) as e, (select count(*) from silver.sessions) as s`)).toEqual([{ e: 2, s: 2 }]);
});

test('silver.sessions, created at worker start (it reads its own table), has exactly the columns and types its model selects, in order; a restarted worker accepts it', async () => {
  await insertRows(deps.warehouse, 'bronze.events', [event('a', '2026-11-01 10:00:00')]);
  await silver('events');
  const sql = renderSqlFile('silver/sessions.sql', deps.warehouse.dialect);
  await deps.warehouse.exec(`create table staging.sessions_shape as select * from (${sql}) as m limit 0`, modelParams(deps, sql, D));
  const columns = (table: string) =>
    rows<{ c: string; t: string }>(
      deps.warehouse,
      `select column_name as c, data_type as t from information_schema.columns where table_schema = '${table.split('.')[0]}' and table_name = '${table.split('.')[1]}' order by ordinal_position`,
    );
  expect(await columns('silver.sessions')).toEqual(await columns('staging.sessions_shape'));
  // Schema evolution at worker start holds the built table to its model's SELECT (strict types).
  await silver('events', 'sessions');
  await expect(bootstrapWarehouse(deps.warehouse)).resolves.toBeUndefined();
});
