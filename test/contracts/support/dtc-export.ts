import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * A DTC store's event export as published findings describe such exports: columns client_id,
 * page_url, referrer, timestamp, event_name, event_data, user_agent; header drift (`clientId`);
 * event_data null in > 90 % of rows; undocumented event names (`checkout_completed`); ~6 % of
 * rows without a client id. Deterministic, with exact expected counts.
 */
export const DTC_ROWS = 200;
export const DTC_MISSING_ID = 12; // 6 %
export const DTC_UNDOCUMENTED = 8; // checkout_completed
export const DTC_QUARANTINED = DTC_MISSING_ID + DTC_UNDOCUMENTED;

export function dtcExportCsv(date: string, header = 'clientId'): string {
  const lines = [`${header},page_url,referrer,timestamp,event_name,event_data,user_agent`];
  for (let i = 0; i < DTC_ROWS; i++) {
    const missingId = i % 17 === 3 && i < 17 * DTC_MISSING_ID; // rows 3, 20, 37, … (12 of them)
    const undocumented = i % 25 === 11; // 8 rows
    const name = undocumented ? 'checkout_completed' : ['page_view', 'page_view', 'add_to_cart', 'purchase'][i % 4];
    const data = i % 14 === 0 ? `"{""order_id"": ""o${i}"", ""revenue"": ${(i % 90) + 10}.5}"` : '';
    const ts = `${date}T${String(8 + (i % 12)).padStart(2, '0')}:${String(i % 60).padStart(2, '0')}:07+01:00`;
    lines.push(
      [
        missingId ? '' : `cl_${1000 + (i % 37)}`,
        `https://shop.example.com/p/${i % 9}`,
        i % 3 ? '' : 'https://www.google.com/',
        ts,
        name,
        data,
        'Mozilla/5.0 (X11)',
      ].join(','),
    );
  }
  return lines.join('\n') + '\n';
}

/** The contract a user writes for that export (a file in their own contracts directory). */
export function dtcContractSource(settings: { required: boolean; maxQuarantineRate: number }): string {
  return `import { z } from 'zod';
import { defineSource, jsonText } from 'marketing-dag/contracts';

export default defineSource({
  name: 'dtc_events',
  description: 'Event export of the DTC shop (tag manager), one file per day.',
  files: ['dtc_events-*.csv', 'dtc-export-*.csv.gz'],
  aliases: { client_id: ['clientId', 'ClientID'] },
  key: ['client_id', 'timestamp', 'event_name'],
  required: ${settings.required},
  maxQuarantineRate: ${settings.maxQuarantineRate},
  schema: z.object({
    client_id: z.string().regex(/^cl_\\d+$/),
    page_url: z.string().url(),
    referrer: z.string().url().nullish(),
    timestamp: z.iso.datetime({ offset: true }),
    event_name: z.enum(['page_view', 'add_to_cart', 'checkout', 'purchase']),
    event_data: jsonText().nullable(),
    user_agent: z.string().max(512).optional(),
  }),
});
`;
}

export function writeDtcContract(dir: string, settings: { required: boolean; maxQuarantineRate: number }): string {
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, 'dtc_events.contract.ts');
  fs.writeFileSync(file, dtcContractSource(settings));
  return file;
}
