import { z } from 'zod';
import { defineSource, jsonText, type SourceContract } from './contract';

/**
 * The raw sources of a DTC retail brand. Contracts check shape (presence, types, formats,
 * enums, JSON validity). Business rules that need other rows or judgement — duplicates,
 * orphans, negative revenue, future timestamps — are quality checks after silver, where a
 * failure blocks publication and can be cleaned with an approved plan.
 */
const ts = () => z.iso.datetime({ offset: true });
const id = () => z.string().min(1).max(64);

export const events = defineSource({
  name: 'events',
  description: 'Clickstream events from the web tag: page views, carts, checkouts and purchases.',
  file: 'events.csv',
  key: ['event_id'],
  schema: z.object({
    event_id: id(),
    client_id: id().describe('Browser client id (cookie); required to sessionize'),
    event_type: z.enum(['page_view', 'add_to_cart', 'checkout', 'purchase']),
    event_ts: ts().describe('ISO-8601 with offset; stored as UTC'),
    page_url: z.string().max(2048).nullable(),
    referrer: z.string().max(2048).nullable(),
    utm_source: z.string().max(256).nullable(),
    utm_medium: z.string().max(256).nullable(),
    utm_campaign: z.string().max(256).nullable(),
    device: z.enum(['desktop', 'mobile', 'tablet']).nullable(),
    event_data: jsonText().nullable().describe('JSON: purchase → {order_id, revenue, currency, items}'),
  }),
});

export const orders = defineSource({
  name: 'orders',
  description: 'Orders from the shop system (one line per order, revenue in order currency).',
  file: 'orders.ndjson',
  key: ['order_id'],
  schema: z.object({
    order_id: id(),
    client_id: id().nullable(),
    customer_id: id(),
    ordered_at: ts(),
    currency: z.enum(['EUR', 'USD', 'GBP']),
    revenue: z.number(),
    status: z.enum(['completed', 'cancelled', 'refunded']),
  }),
});

export const orderItems = defineSource({
  name: 'order_items',
  description: 'Order lines from the shop system.',
  file: 'order_items.parquet',
  key: ['order_id', 'line_no'],
  schema: z.object({
    order_id: id(),
    line_no: z.number().int().min(1),
    sku: id(),
    quantity: z.number().int().min(1),
    unit_price: z.number().min(0),
  }),
});

export const customers = defineSource({
  name: 'customers',
  description: 'Customer records from the CRM; a customer may appear again when updated.',
  file: 'customers.csv.gz',
  key: ['customer_id'],
  schema: z.object({
    customer_id: id(),
    client_id: id().nullable(),
    email: z.string().min(3).max(320),
    country: z.string().min(2).max(2),
    created_at: ts(),
    updated_at: ts(),
  }),
});

export const SOURCES: readonly SourceContract[] = [events, orders, orderItems, customers];
export const SOURCE_NAMES = SOURCES.map((s) => s.name) as readonly string[];

export function sourceByName(name: string): SourceContract {
  const s = SOURCES.find((x) => x.name === name);
  if (!s) throw new Error(`unknown source ${JSON.stringify(name)}; known: ${SOURCE_NAMES.join(', ')}`);
  return s;
}
