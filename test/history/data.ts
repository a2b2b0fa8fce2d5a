import * as zlib from 'node:zlib';
import { csvField } from '../../generator/csv-writer';
import { addDays } from '../../lib/dates';

/**
 * The bytes of landing objects in history tests: tiny, deterministic, date-specific (so no two
 * dates ever hold identical bytes), and consistent enough that a day with events and orders
 * passes every quality check. A history only ever names a `ContentSpec`; the bytes follow.
 *
 * Every events object starts with one landing page view per client of the day's pool (same
 * event ids in every variant: silver keeps the first occurrence), so any orders object of the
 * day has a session to belong to and `orphan_purchases` passes.
 *
 * Late data (issue #14) rides on the same objects, so every history has it:
 * - a visit across midnight: each day's events start a paid-search visit at 23:50 (client
 *   `n-<day>`), and the next day's events continue it after midnight (00:04, a purchase at 00:08
 *   of order `o-night-<day>`, which that next day's orders carry in even variants);
 * - an order delivered a day late: orders of most variants carry one order placed at 23:55 the
 *   day before by a client of that day's pool (objects of a history's first date carry neither
 *   this nor the visit continued after midnight: no day before it runs);
 * - money in a second currency: in odd variants the first order of the day and the late order are
 *   in USD. fx_rates objects carry EUR→USD for their day and a (late or corrected) rate for the day
 *   before; a day's usual delivery includes one.
 */
export type Source = 'events' | 'orders' | 'fx_rates';
export type Shape = 'rows' | 'extra_column' | 'empty' | 'header_only' | 'truncated_gzip';

export interface ContentSpec {
  source: Source;
  date: string;
  /** Which version of the data: different variants give different rows (ids, values). */
  variant: number;
  /** Data rows (for `rows` and `extra_column`). */
  rows: number;
  shape: Shape;
  /** The history's first date: no day before it runs, so its objects carry nothing late from one. */
  firstDay?: boolean;
  /**
   * Orders only: one more order, `o-neg-<date>-<variant>`, booked with negative revenue (a refund
   * booked as a sale). negative_revenue blocks the day; the rule planner proposes to quarantine it.
   */
  anomaly?: 'negative_revenue';
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
export const FX_COLUMNS = ['rate_date', 'base_currency', 'quote_currency', 'rate'];

const POOL = 3;
const LANDING_CHANNELS: [string | null, string | null, string | null][] = [
  ['google', 'cpc', null],
  ['newsletter', 'email', null],
  [null, null, 'https://www.google.com/'],
];
const EVENT_TYPES = ['page_view', 'add_to_cart', 'checkout', 'purchase'];

const client = (date: string, i: number) => `c${i % POOL}-${date.replace(/-/g, '')}`;
const at = (date: string, minutes: number) => new Date(Date.parse(`${date}T08:00:00Z`) + minutes * 60_000).toISOString().replace('.000Z', 'Z');
/** Minutes after midnight UTC of `date` (negative: the evening before). */
const clock = (date: string, minutes: number) => new Date(Date.parse(`${date}T00:00:00Z`) + minutes * 60_000).toISOString().replace('.000Z', 'Z');
/** The client whose visit starts at 23:50 on `date` and goes on after midnight. */
const nightClient = (date: string) => `n-${date.replace(/-/g, '')}`;

/** The columns of a plain home-page hit. */
const HOME: Record<string, string | null> = {
  page_url: 'https://shop.example.com/',
  referrer: null,
  utm_source: null,
  utm_medium: null,
  utm_campaign: null,
  device: 'mobile',
  event_data: null,
};

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
    // The visit across midnight: its landing today at 23:50, and yesterday's visit going on at 00:04.
    const before = addDays(spec.date, -1);
    const view = HOME;
    const night = [
      {
        ...view,
        event_id: `n-${nightClient(spec.date)}`,
        client_id: nightClient(spec.date),
        event_type: 'page_view',
        event_ts: clock(spec.date, 23 * 60 + 50),
        utm_source: 'google',
        utm_medium: 'cpc',
      },
      ...(spec.firstDay
        ? []
        : [
            { ...view, event_id: `nc-${nightClient(before)}-1`, client_id: nightClient(before), event_type: 'add_to_cart', event_ts: clock(spec.date, 4) },
            {
              ...view,
              event_id: `nc-${nightClient(before)}-2`,
              client_id: nightClient(before),
              event_type: 'purchase',
              event_ts: clock(spec.date, 8),
              event_data: JSON.stringify({ order_id: `o-night-${before}`, revenue: 30, currency: 'EUR', items: 1 }),
            },
          ]),
    ];
    const more = Array.from({ length: Math.max(0, spec.rows - POOL - night.length) }, (_, i) => {
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
    return [...base, ...night, ...more].slice(0, Math.max(spec.rows, 0));
  }
  const usd = spec.variant % 2 === 1;
  if (spec.source === 'fx_rates') {
    // EUR→USD for the day, and for the day before (late, or a correction of what it had).
    const rate = (date: string, base: number) => ({
      rate_date: date,
      base_currency: 'EUR',
      quote_currency: 'USD',
      rate: (base + spec.variant / 100).toFixed(4),
    });
    return [rate(spec.date, 1.08), rate(addDays(spec.date, -1), 1.07)].slice(0, Math.max(spec.rows, 0));
  }
  const regular = Array.from({ length: spec.rows }, (_, i) => ({
    order_id: `o-${tag}-${i}`,
    client_id: client(spec.date, i),
    customer_id: `cu-${client(spec.date, i)}`,
    ordered_at: at(spec.date, 30 + i),
    currency: usd && i === 0 ? 'USD' : 'EUR',
    revenue: String(10 + ((spec.variant * 7 + i * 13) % 50) + 0.5),
    // The first order of every variant is completed, so a day with orders has revenue.
    status: i > 0 && i % 4 === 0 ? 'cancelled' : 'completed',
  }));
  const before = addDays(spec.date, -1);
  const late = spec.firstDay
    ? []
    : [
        // Yesterday's night visit ends in a purchase after midnight (today's order).
        ...(spec.variant % 2 === 0
          ? [
              {
                order_id: `o-night-${before}`,
                client_id: nightClient(before),
                customer_id: `cu-${nightClient(before)}`,
                ordered_at: clock(spec.date, 8),
                currency: 'EUR',
                revenue: '30',
                status: 'completed',
              },
            ]
          : []),
        // Placed yesterday at 23:55 by one of yesterday's clients, delivered with today's orders.
        ...(spec.variant % 3 !== 2
          ? [
              {
                order_id: `o-late-${tag}`,
                client_id: client(before, 1),
                customer_id: `cu-${client(before, 1)}`,
                ordered_at: clock(spec.date, -5),
                currency: usd ? 'USD' : 'EUR',
                revenue: String(40 + spec.variant + 0.25),
                status: 'completed',
              },
            ]
          : []),
      ];
  // A refund booked as a sale, by one of the day's clients (their session exists: no orphan).
  const refund =
    spec.anomaly === 'negative_revenue'
      ? [
          {
            order_id: negativeOrderId(spec),
            client_id: client(spec.date, 0),
            customer_id: `cu-${client(spec.date, 0)}`,
            ordered_at: at(spec.date, 29),
            currency: 'EUR',
            revenue: '-25.5',
            status: 'completed',
          },
        ]
      : [];
  return [...[...regular.slice(0, 1), ...late, ...regular.slice(1)].slice(0, Math.max(spec.rows, 0)), ...refund];
}

/** The negative-revenue order an `anomaly` orders object carries (same id in every object of a date and variant). */
export const negativeOrderId = (spec: Pick<ContentSpec, 'date' | 'variant'>) => `o-neg-${spec.date.replace(/-/g, '')}-${spec.variant}`;

/** The order ids of an object that negative_revenue flags. */
export function negativeOrders(spec: ContentSpec): string[] {
  return spec.source === 'orders' && spec.anomaly === 'negative_revenue' && (spec.shape === 'rows' || spec.shape === 'extra_column')
    ? [negativeOrderId(spec)]
    : [];
}

/** The object's bytes in the format its name says (.csv, .csv.gz, .ndjson). */
export function contentBytes(spec: ContentSpec, fileName: string): Buffer {
  if (spec.shape === 'empty') return Buffer.alloc(0);
  const rows = contentRows(spec);
  const columns = spec.source === 'events' ? EVENT_COLUMNS : spec.source === 'orders' ? ORDER_COLUMNS : FX_COLUMNS;
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
  if (source === 'orders') return { ...r, revenue: Number(r.revenue) };
  if (source === 'fx_rates') return { ...r, rate: Number(r.rate) };
  return r;
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
