import { z } from 'zod';
import { defineSource, jsonText } from './contract';

/**
 * Clickstream events of the demo DTC brand. Contracts check shape (presence, types, formats,
 * enums, JSON validity). Business rules that need other rows or judgement — duplicates, orphans,
 * negative revenue, future timestamps — are quality checks after silver, where a failure blocks
 * publication and can be cleaned with an approved plan.
 */
const id = () => z.string().min(1).max(64);

export default defineSource({
  name: 'events',
  description: 'Clickstream events from the web tag: page views, carts, checkouts and purchases.',
  key: ['event_id'],
  // The silver and gold models are built on events and orders: a day without them is not a day of zeros.
  required: true,
  schema: z.object({
    event_id: id(),
    client_id: id().describe('Browser client id (cookie); required to sessionize'),
    event_type: z.enum(['page_view', 'add_to_cart', 'checkout', 'purchase']),
    event_ts: z.iso.datetime({ offset: true }).describe('ISO-8601 with offset; stored as UTC'),
    page_url: z.string().max(2048).nullable(),
    referrer: z.string().max(2048).nullable(),
    utm_source: z.string().max(256).nullable(),
    utm_medium: z.string().max(256).nullable(),
    utm_campaign: z.string().max(256).nullable(),
    device: z.enum(['desktop', 'mobile', 'tablet']).nullable(),
    event_data: jsonText().nullable().describe('JSON: purchase → {order_id, revenue, currency, items}'),
  }),
});
