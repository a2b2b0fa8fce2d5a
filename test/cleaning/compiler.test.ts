import type { ActivityDeps } from '../../lib/deps';
import { compileOperation, type CompileContext } from '../../cleaning/compiler';
import { compileContext } from '../../activities/cleaning/compile-context';
import type { TableMap } from '../../activities/cleaning/tables';
import { openDeps } from '../../lib/open-deps';
import { testConfig } from '../support/temporal';

let deps: ActivityDeps;
let ctx: CompileContext;
const T: TableMap = { events: 'staging.ev', sessions: 'staging.se', orders: 'staging.ord', order_items: 'staging.oi' };

beforeAll(async () => {
  deps = await openDeps(await testConfig());
  const wh = deps.warehouse;
  await wh.exec(`create table staging.ord (order_id varchar, client_id varchar, revenue double, status varchar, ordered_at timestamp, partition_date date)`);
  await wh.exec(
    `insert into staging.ord values ('o1','c1',-5,'completed',timestamp '2026-11-01 10:00',date '2026-11-01'), ('o2','c1',50,null,timestamp '2026-11-01 11:00',date '2026-11-01'), ('o2','c1',60,null,timestamp '2026-11-01 12:00',date '2026-11-01'), ('o3','c9',10,'x',timestamp '2026-11-01 09:00',date '2026-10-31')`,
  );
  for (const t of ['ev', 'se', 'oi']) await wh.exec(`create table staging.${t} (client_id varchar, event_at timestamp, partition_date date)`);
  ctx = await compileContext(deps, wh, T, { date: '2026-11-01', workflowId: 'wf', version: 1 });
});
afterAll(async () => deps?.warehouse.close());

const run = async (op: unknown) => {
  const c = compileOperation(op, ctx);
  if (!c.ok) throw new Error(c.reason);
  for (const s of c.statements) await deps.warehouse.exec(s.sql, s.params);
  return c;
};
const orders = () => deps.warehouse.query(`select order_id, revenue, status from staging.ord order by order_id, revenue`);
const reason = (op: unknown) => {
  const c = compileOperation(op, ctx);
  return c.ok ? 'compiled' : c.reason;
};

test('column names that try to inject SQL are refused before anything runs', () => {
  for (const column of ['revenue; drop table staging.ord', 'revenue = 0 --', 'REVENUE', '"revenue"', 'revenue)', 'nope']) {
    expect(reason({ op: 'set_null', table: 'orders', column, check: null, rationale: 'r' })).toMatch(/^orders has no column /);
  }
  expect(reason({ op: 'dedupe_on_keys', table: 'orders', keys: ['order_id', '1=1) or (1'], orderBy: 'ordered_at', keep: 'first', rationale: 'r' })).toMatch(
    /^orders has no column "1=1\) or \(1"/,
  );
  expect(reason({ op: 'set_null', table: 'orders; drop', column: 'status', check: null, rationale: 'r' })).toMatch(
    /^not an operation of the vocabulary.*table/,
  );
  expect(reason({ op: 'drop_flagged_rows', check: "negative_revenue' or 1=1 --", rationale: 'r' })).toMatch(/^no rows can be flagged for check/);
  expect(reason({ op: 'run_sql', sql: 'drop table x', rationale: 'r' })).toMatch(/^not an operation of the vocabulary \("run_sql"\)/);
  expect(reason({ op: 'set_null', table: 'orders', column: 'partition_date', check: null, rationale: 'r' })).toBe(
    'orders.partition_date is the partition key and cannot be changed',
  );
  expect(reason({ op: 'fill_default', table: 'orders', column: 'revenue', value: '0; drop', rationale: 'r' })).toBe(
    'orders.revenue is DOUBLE: the default must be a number',
  );
  expect(reason({ op: 'shift_timezone', table: 'orders', column: 'ordered_at', fromZone: "UTC' ; drop", toZone: 'UTC', check: null, rationale: 'r' })).toMatch(
    /^unknown time zone/,
  );
  expect(reason({ op: 'clamp_to_range', table: 'orders', column: 'status', min: 0, max: 1, rationale: 'r' })).toBe('orders.status is VARCHAR, not numeric');
});

test('values travel as bound parameters: an injection-looking default is stored verbatim, only in its partition', async () => {
  const hostile = "x'); drop table staging.ord; --";
  const c = await run({ op: 'fill_default', table: 'orders', column: 'status', value: hostile, rationale: 'r' });
  expect(c.statements[0].sql).not.toContain(hostile);
  expect(await orders()).toEqual([
    { order_id: 'o1', revenue: -5, status: 'completed' },
    { order_id: 'o2', revenue: 50, status: hostile },
    { order_id: 'o2', revenue: 60, status: hostile },
    { order_id: 'o3', revenue: 10, status: 'x' },
  ]);
});

test('clamp, dedupe (keep last) and time-zone shift change exactly the partition rows they name', async () => {
  await run({ op: 'clamp_to_range', table: 'orders', column: 'revenue', min: 0, max: null, rationale: 'r' });
  await run({ op: 'dedupe_on_keys', table: 'orders', keys: ['order_id'], orderBy: 'ordered_at', keep: 'last', rationale: 'r' });
  await run({ op: 'shift_timezone', table: 'orders', column: 'ordered_at', fromZone: 'America/New_York', toZone: 'UTC', check: null, rationale: 'r' });
  expect(await deps.warehouse.query(`select order_id, revenue, cast(ordered_at as varchar) as at from staging.ord order by order_id`)).toEqual([
    { order_id: 'o1', revenue: 0, at: '2026-11-01 15:00:00' },
    { order_id: 'o2', revenue: 60, at: '2026-11-01 17:00:00' },
    { order_id: 'o3', revenue: 10, at: '2026-11-01 09:00:00' },
  ]);
});
