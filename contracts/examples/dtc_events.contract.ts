import { z } from 'zod';
import { defineSource, jsonText } from 'marketing-dag/contracts';

export default defineSource({
  name: 'dtc_events',
  description: 'Event export of the DTC shop (tag manager), one file per day.',
  files: ['dtc_events-*.csv', 'dtc-export-*.csv.gz'],
  aliases: { client_id: ['clientId', 'ClientID'] },
  key: ['client_id', 'timestamp', 'event_name'],
  required: true,
  maxQuarantineRate: 0.12,
  schema: z.object({
    client_id: z.string().regex(/^cl_\d+$/),
    page_url: z.string().url(),
    referrer: z.string().url().nullish(),
    timestamp: z.iso.datetime({ offset: true }),
    event_name: z.enum(['page_view', 'add_to_cart', 'checkout', 'purchase']),
    event_data: jsonText().nullable(),
    user_agent: z.string().max(512).optional(),
  }),
});
