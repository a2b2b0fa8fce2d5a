import * as fs from 'node:fs';
import * as zlib from 'node:zlib';
import { DuckDbWarehouse } from '../../adapters/warehouse/duckdb/duckdb-warehouse';

/**
 * Corpus files that are binary or large, built at test time rather than committed: invalid
 * UTF-8, a very long field, a truncated gzip and a Parquet file with the wrong schema. The text
 * cases are the files in ./landing.
 */
const HEADER = 'event_id,client_id,event_type,event_ts,page_url,referrer,utm_source,utm_medium,utm_campaign,device,event_data';
const row = (id: string, url = 'https://shop.example.com/') => `${id},c${id},page_view,2026-05-01T10:00:00Z,${url},,,,,mobile,`;

export async function binaryCorpus(scratchDir: string): Promise<Record<string, Buffer>> {
  const latin1 = Buffer.concat([
    Buffer.from(`${HEADER}\n${row('l1')}\n`),
    Buffer.from('l2,cl2,page_view,2026-05-01T10:00:00Z,https://shop.example.com/caf'),
    Buffer.from([0xe9]), // "é" in Latin-1: not valid UTF-8
    Buffer.from(`,,,,,mobile,\n${row('l3', 'https://shop.example.com/café')}\n`),
  ]);
  const longField = Buffer.from(`${HEADER}\n${row('f1')}\n${row('f2', 'https://shop.example.com/?' + 'x'.repeat(200_000))}\n${row('f3')}\n`);
  const customers = zlib.gzipSync(Buffer.from('customer_id,client_id,email,country,created_at,updated_at\n' + Array.from({ length: 2000 }, (_, i) => `cu${i},c${i},p${i}@example.com,DE,2026-01-01T00:00:00Z,2026-05-01T00:00:00Z`).join('\n') + '\n'));
  return {
    'events-invalid-utf8.csv': latin1,
    'events-long-field.csv': longField,
    'customers-truncated.csv.gz': customers.subarray(0, Math.floor(customers.length * 0.6)),
    'order_items-wrong-schema.parquet': await wrongSchemaParquet(`${scratchDir}/wrong-schema.parquet`),
  };
}

/** order_items with renamed and retyped columns: `line` instead of line_no, `qty` as a double, no sku. */
async function wrongSchemaParquet(file: string): Promise<Buffer> {
  const wh = await DuckDbWarehouse.open({ path: ':memory:' });
  try {
    await wh.exec(`copy (select 'o' || i as order_id, i as line, i * 1.5 as qty, 9.99 as unit_price from range(1, 4) as t(i)) to '${file.replace(/'/g, "''")}' (format parquet)`);
  } finally {
    await wh.close();
  }
  return fs.readFileSync(file);
}
