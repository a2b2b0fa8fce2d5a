import type { ObjectStore } from '../../adapters/object-store/object-store';
import type { ActivityDeps } from '../../lib/deps';
import { buildModel } from '../../activities/transform/build-model';
import { discoverModels, planWaves } from '../../lib/sql/models';

/**
 * Tiny hand-written landing files for the late-data tests: events, orders and FX rates as a real
 * delivery would bring them (CSV / NDJSON with offsets), so the whole pipeline runs on them.
 */
export interface Ev {
  id: string;
  client: string;
  /** UTC, 'YYYY-MM-DD HH:MM:SS'. */
  at: string;
  type?: 'page_view' | 'add_to_cart' | 'checkout' | 'purchase';
  /** [utm_source, utm_medium] of a landing hit. */
  utm?: [string, string];
  referrer?: string;
  data?: Record<string, unknown>;
}

const HEADER = 'event_id,client_id,event_type,event_ts,page_url,referrer,utm_source,utm_medium,utm_campaign,device,event_data';
const iso = (at: string) => `${at.replace(' ', 'T')}Z`;
const csv = (v: string | null | undefined) => (v === null || v === undefined ? '' : /[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);

export function eventsCsv(events: Ev[]): string {
  const rows = events.map((e) =>
    [
      e.id,
      e.client,
      e.type ?? 'page_view',
      iso(e.at),
      'https://shop.example.com/',
      e.referrer ?? null,
      e.utm?.[0] ?? null,
      e.utm?.[1] ?? null,
      e.utm ? 'camp' : null,
      'mobile',
      e.data ? JSON.stringify(e.data) : null,
    ]
      .map(csv)
      .join(','),
  );
  return [HEADER, ...rows].join('\n') + '\n';
}

export interface Ord {
  id: string;
  client: string;
  at: string;
  revenue: number;
  currency?: 'EUR' | 'USD' | 'GBP';
  status?: 'completed' | 'cancelled' | 'refunded';
}

export function ordersNdjson(orders: Ord[]): string {
  return (
    orders
      .map((o) =>
        JSON.stringify({
          order_id: o.id,
          client_id: o.client,
          customer_id: `cu_${o.client}`,
          ordered_at: iso(o.at),
          currency: o.currency ?? 'EUR',
          revenue: o.revenue,
          status: o.status ?? 'completed',
        }),
      )
      .join('\n') + '\n'
  );
}

/** A visit: a landing page view plus the events after it, each `minutes` apart. */
export function visit(client: string, id: string, at: string, utm?: [string, string]): Ev {
  return { id, client, at, utm };
}

export async function landFile(store: ObjectStore, date: string, name: string, text: string): Promise<void> {
  await store.put(`landing/${date}/${name}`, text);
}

/** Every silver model of each date, in dependency order (what the nightly builds). */
export async function buildSilverDays(deps: ActivityDeps, dates: string[]): Promise<void> {
  const waves = planWaves(discoverModels('silver'));
  for (const date of dates) for (const wave of waves) for (const m of wave) await buildModel(deps, { date, layer: 'silver', model: m.name });
}

/** Every gold model of a date into staging. */
export async function buildGoldDay(deps: ActivityDeps, date: string): Promise<void> {
  for (const wave of planWaves(discoverModels('gold'))) for (const m of wave) await buildModel(deps, { date, layer: 'gold', model: m.name });
}
