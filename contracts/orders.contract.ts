import { z } from 'zod';
import { defineSource } from './contract';

const id = () => z.string().min(1).max(64);

export default defineSource({
  name: 'orders',
  description: 'Orders from the shop system (one line per order, revenue in order currency).',
  key: ['order_id'],
  required: true,
  schema: z.object({
    order_id: id(),
    client_id: id().nullable(),
    customer_id: id(),
    ordered_at: z.iso.datetime({ offset: true }),
    currency: z.enum(['EUR', 'USD', 'GBP']),
    revenue: z.number(),
    status: z.enum(['completed', 'cancelled', 'refunded']),
  }),
});
