import { z } from 'zod';
import { defineSource } from './contract';

export default defineSource({
  name: 'order_items',
  description: 'Order lines from the shop system.',
  key: ['order_id', 'line_no'],
  schema: z.object({
    order_id: z.string().min(1).max(64),
    line_no: z.number().int().min(1),
    sku: z.string().min(1).max(64),
    quantity: z.number().int().min(1),
    unit_price: z.number().min(0),
  }),
});
