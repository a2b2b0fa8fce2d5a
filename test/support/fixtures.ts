import type { SqlValue, Warehouse } from '../../adapters/warehouse/warehouse';
import { assertIdentifier } from '../../adapters/warehouse/warehouse';
import { createLogger } from '../../lib/logger';
import type { ActivityDeps } from '../../lib/deps';
import { openDeps } from '../../lib/open-deps';
import { testConfig } from './temporal';

export const D = '2026-11-01';

/** Deps on a fresh data dir (DuckDB file + local store), tables created. */
export async function freshDeps(env: Record<string, string> = {}): Promise<ActivityDeps> {
  const deps = await openDeps(await testConfig(env));
  return { ...deps, logger: createLogger({ level: 'error' }) };
}

/** Inserts hand-written rows with bound values (fixtures only; tiny). */
export async function insertRows(wh: Warehouse, table: string, rows: Record<string, SqlValue>[]): Promise<void> {
  assertIdentifier(table);
  for (const row of rows) {
    const cols = Object.keys(row);
    cols.forEach(assertIdentifier);
    const params = Object.fromEntries(cols.map((c, i) => [`p${i}`, row[c]]));
    await wh.exec(`insert into ${table} (${cols.join(', ')}) values (${cols.map((_, i) => `$p${i}`).join(', ')})`, params);
  }
}

let seq = 0;
/** A bronze event row with sensible defaults. */
export function event(client: string, ts: string, over: Record<string, SqlValue> = {}): Record<string, SqlValue> {
  seq++;
  return {
    event_id: `e${seq}`,
    client_id: client,
    event_type: 'page_view',
    event_ts: ts,
    page_url: 'https://shop.example.com/',
    referrer: null,
    utm_source: null,
    utm_medium: null,
    utm_campaign: null,
    device: 'mobile',
    event_data: null,
    _partition_date: D,
    _source_key: `landing/${D}/events.csv`,
    _line: seq + 1,
    _loaded_at: '2026-11-02 01:00:00',
    ...over,
  };
}

export function order(id: string, client: string, ts: string, revenue: number, over: Record<string, SqlValue> = {}): Record<string, SqlValue> {
  return {
    order_id: id,
    client_id: client,
    customer_id: `cu_${client}`,
    ordered_at: ts,
    currency: 'EUR',
    revenue,
    status: 'completed',
    _partition_date: D,
    _source_key: `landing/${D}/orders.ndjson`,
    _line: 1,
    _loaded_at: '2026-11-02 01:00:00',
    ...over,
  };
}

export async function rows<T = Record<string, unknown>>(wh: Warehouse, sql: string): Promise<T[]> {
  return wh.query(sql) as Promise<T[]>;
}
