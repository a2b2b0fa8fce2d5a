import { z } from 'zod';
import { defineSource } from './contract';

const id = () => z.string().min(1).max(64);

export default defineSource({
  name: 'customers',
  description: 'Customer records from the CRM; a customer may appear again when updated.',
  // The grain of a delivered record: a customer appears again, with a later updated_at, when updated.
  key: ['customer_id', 'updated_at'],
  schema: z.object({
    customer_id: id(),
    client_id: id().nullable(),
    email: z.string().min(3).max(320),
    country: z.string().min(2).max(2),
    created_at: z.iso.datetime({ offset: true }),
    updated_at: z.iso.datetime({ offset: true }),
  }),
});
