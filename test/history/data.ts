import * as zlib from 'node:zlib';
import { csvField } from '../../generator/csv-writer';

/**
 * The bytes of landing objects in history tests: tiny, deterministic, date-specific (so no two
 * dates ever hold identical bytes), and consistent enough that a day with events and orders
 * passes every quality check. A history only ever names a `ContentSpec`; the bytes follow.
 *
 * Every events object starts with one landing page view per client of the day's pool (same
 * event ids in every variant: silver keeps the first occurrence), so any orders object of the
 * day has a session to belong to and `orphan_purchases` passes.
 */
export type Source = 'events' | 'orders';
export type Shape = 'rows' | 'extra_column' | 'empty' | 'header_only' | 'truncated_gzip';

export interface ContentSpec {
  source: Source;
  date: string;
  /** Which version of the data: different variants give different rows (ids, values). */
  variant: number;
  /** Data rows (for `rows` and `extra_column`). */
  rows: number;
  shape: Shape;
}

/** What a correct pipeline makes of the object: rows in bronze, or a failed file. */
export interface Expected {
  bronzeRows: number;
  failed: boolean;
}

export const EVENT_COLUMNS = [
  'event_id',
  'client_id',
  'event_type',
  'event_ts',
  'page_url',
  'referrer',
  'utm_source',
  'utm_medium',
  'utm_campaign',
  'device',
  'event_data',
];
export const ORDER_COLUMNS = ['order_id', 'client_id', 'customer_id', 'ordered_at', 'currency', 'revenue', 'status'];

const POOL = 3;
const LANDING_CHANNELS: [string | null, string | null, string | null][] = [
  ['google', 'cpc', null],
  ['newsletter', 'email', null],
  [null, null, 'https://www.google.com/'],
];
const EVENT_TYPES = ['page_view', 'add_to_cart', 'checkout', 'purchase'];

const client = (date: string, i: number) => `c${i % POOL}-${date.replace(/-/g, '')}`;
const at = (date: string, minutes: number) => new Date(Date.parse(`${date}T08:00:00Z`) + minutes * 60_000).toISOString().replace('.000Z', 'Z');

/** Rows as column → text (null = empty field), in contract column order. */
export function contentRows(spec: ContentSpec): Record<string, string | null>[] {
  if (spec.shape === 'empty' || spec.shape === 'header_only') return [];
  const tag = `${spec.date.replace(/-/g, '')}-${spec.variant}`;
  if (spec.source === 'events') {
    const base = Array.from({ length: POOL }, (_, c) => ({
      event_id: `b-${client(spec.date, c)}`,
      client_id: client(spec.date, c),
      event_type: 'page_view',
      event_ts: at(spec.date, c),
      page_url: 'https://shop.example.com/',
      referrer: LANDING_CHANNELS[c][2],
      utm_source: LANDING_CHANNELS[c][0],
      utm_medium: LANDING_CHANNELS[c][1],
      utm_campaign: null,
      device: 'mobile',
      event_data: null,
    }));
    const more = Array.from({ length: Math.max(0, spec.rows - POOL) }, (_, i) => {
      const type = EVENT_TYPES[(spec.variant + i) % EVENT_TYPES.length];
      return {
        event_id: `e-${tag}-${i}`,
        client_id: client(spec.date, i),
        event_type: type,
        event_ts: at(spec.date, 5 + i + spec.variant),
        page_url: `https://shop.example.com/p/${(spec.variant * 7 + i) % 11}`,
        referrer: null,
        utm_source: null,
        utm_medium: null,
        utm_campaign: null,
        device: ['desktop', 'mobile', 'tablet'][(i + spec.variant) % 3],
        event_data: type === 'purchase' ? JSON.stringify({ order_id: `o-${tag}-${i}`, revenue: 20 + i, currency: 'EUR', items: 1 }) : null,
      };
    });
    return [...base, ...more].slice(0, Math.max(spec.rows, 0));
  }
  return Array.from({ length: spec.rows }, (_, i) => ({
    order_id: `o-${tag}-${i}`,
    client_id: client(spec.date, i),
    customer_id: `cu-${client(spec.date, i)}`,
    ordered_at: at(spec.date, 30 + i),
    currency: 'EUR',
    revenue: String(10 + ((spec.variant * 7 + i * 13) % 50) + 0.5),
    // The first order of every variant is completed, so a day with orders has revenue.
    status: i > 0 && i % 4 === 0 ? 'cancelled' : 'completed',
  }));
}

/** The object's bytes in the format its name says (.csv, .csv.gz, .ndjson). */
export function contentBytes(spec: ContentSpec, fileName: string): Buffer {
  if (spec.shape === 'empty') return Buffer.alloc(0);
  const rows = contentRows(spec);
  const columns = spec.source === 'events' ? EVENT_COLUMNS : ORDER_COLUMNS;
  const extra = spec.shape === 'extra_column';
  let text: string;
  if (/\.ndjson(\.gz)?$/.test(fileName)) {
    text = rows.map((r) => JSON.stringify(extra ? { ...typed(r, spec.source), campaign_cost: 1.5 } : typed(r, spec.source)) + '\n').join('');
  } else {
    const header = [...columns, ...(extra ? ['campaign_cost'] : [])].join(',');
    text = [header, ...rows.map((r) => [...columns.map((c) => csvField(r[c])), ...(extra ? ['1.5'] : [])].join(','))].join('\n') + '\n';
  }
  const bytes = Buffer.from(text);
  if (!fileName.endsWith('.gz')) return bytes;
  const gz = zlib.gzipSync(bytes);
  // A delivery cut short in transit: a gzip stream missing its second half.
  return spec.shape === 'truncated_gzip' ? gz.subarray(0, Math.max(10, Math.floor(gz.length / 2))) : gz;
}

/** NDJSON carries numbers as numbers. */
function typed(r: Record<string, string | null>, source: Source): Record<string, unknown> {
  return source === 'orders' ? { ...r, revenue: Number(r.revenue) } : r;
}

export function expected(spec: ContentSpec): Expected {
  if (spec.shape === 'truncated_gzip') return { bronzeRows: 0, failed: true };
  return { bronzeRows: contentRows(spec).length, failed: false };
}

export function describeContent(spec: ContentSpec): string {
  switch (spec.shape) {
    case 'rows':
      return `${spec.source} v${spec.variant}, ${spec.rows} rows`;
    case 'extra_column':
      return `${spec.source} v${spec.variant}, ${spec.rows} rows + an unknown column`;
    case 'truncated_gzip':
      return `${spec.source} v${spec.variant}, truncated gzip`;
    default:
      return `${spec.source}, ${spec.shape.replace('_', '-')}`;
  }
}
