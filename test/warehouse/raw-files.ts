import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { DuckDBInstance } from '@duckdb/node-api';

/** Small raw files for the loadRawFile contract, written fresh into a temp folder per test file. */
export const CSV_TEXT =
  [
    'order_id,customer,amount,note',
    '1,"Smith, Jane",00123,plain',
    '2,"say ""hi""",5.50,',
    '3,short',
    '4,a,b,c,extra',
    '5,"\'); drop table bronze.x; --",7,$name',
    '6,ünïcødé,8,last',
  ].join('\n') + '\n';

export const NDJSON_TEXT =
  ['{"order_id": "1", "amount": 12.5, "tags": ["a"]}', 'this is not json', '', '{"order_id": "3", "customer": "Ann", "amount": null}'].join('\n') + '\n';

export interface RawFiles {
  dir: string;
  csv: string;
  csvGz: string;
  multiline: string;
  ndjson: string;
  parquet: string;
  cleanup(): void;
}

export async function writeRawFiles(): Promise<RawFiles> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dag-raw-'));
  const csv = path.join(dir, 'orders.csv');
  fs.writeFileSync(csv, CSV_TEXT);
  const csvGz = path.join(dir, 'orders.csv.gz');
  fs.writeFileSync(csvGz, zlib.gzipSync(CSV_TEXT));
  const multiline = path.join(dir, 'multiline.csv');
  fs.writeFileSync(multiline, 'order_id,note\r\n1,"line one\nline two"\r\n2,after\r\n');
  const ndjson = path.join(dir, 'orders.ndjson');
  fs.writeFileSync(ndjson, NDJSON_TEXT);
  const parquet = path.join(dir, 'items.parquet');
  // Parquet written by DuckDB itself, as the demo-data generator does.
  const db = await DuckDBInstance.create(':memory:');
  const c = await db.connect();
  await c.run(
    `copy (select * from (values ('o1', 1, 2.5), ('o2', 3, 4.0)) t(order_id, quantity, unit_price)) to '${parquet.replace(/'/g, "''")}' (format parquet)`,
  );
  c.closeSync();
  db.closeSync();
  return { dir, csv, csvGz, multiline, ndjson, parquet, cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
}
