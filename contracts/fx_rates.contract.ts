import { z } from 'zod';
import { defineSource } from './contract';

const currency = () => z.string().min(3).max(3).describe('ISO 4217 code, upper case');

export default defineSource({
  name: 'fx_rates',
  description: "Daily reference exchange rates (e.g. the ECB's): 1 unit of base_currency = rate units of quote_currency on rate_date.",
  key: ['rate_date', 'base_currency', 'quote_currency'],
  schema: z.object({
    rate_date: z.iso.date().describe('The day the rate applies to (YYYY-MM-DD); may be an earlier day than the partition (late rates)'),
    base_currency: currency(),
    quote_currency: currency(),
    rate: z.number().min(0.000001).describe('Units of quote_currency per unit of base_currency'),
  }),
});
