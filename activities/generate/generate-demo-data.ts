import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import type { ActivityDeps } from '../../lib/deps';
import { generateDay, type GenerateManifest, type GenerateOptions } from '../../generator/demo-data';
import { landingPrefix } from '../ingest/landing';
import { withHeartbeat } from '../../lib/heartbeat';

/**
 * Generates one day of demo data and puts it into the landing area as the real sources would
 * (events.csv, orders.ndjson, order_items.parquet, customers.csv.gz) plus `_manifest.json`
 * recording exactly which anomalies were planted.
 */
export async function generateDemoData(deps: ActivityDeps, opts: GenerateOptions): Promise<GenerateManifest> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `dag-gen-${opts.date}-`));
  try {
    const manifest = await withHeartbeat(
      () => generateDay(dir, opts),
      () => ({ phase: 'generating', date: opts.date }),
    );
    await csvToParquet(path.join(dir, 'order_items.csv'), path.join(dir, 'order_items.parquet'));
    manifest.files = manifest.files.map((f) => (f.file === 'order_items.csv' ? { ...f, file: 'order_items.parquet' } : f));
    const prefix = landingPrefix(opts.date);
    for (const f of manifest.files) {
      await deps.store.putStream(prefix + f.file, fs.createReadStream(path.join(dir, f.file)));
    }
    await deps.store.put(prefix + '_manifest.json', JSON.stringify(manifest, null, 2));
    return manifest;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Parquet is written by an in-memory DuckDB (single thread, so the bytes are reproducible). */
async function csvToParquet(csv: string, parquet: string): Promise<void> {
  const db = await DuckDBInstance.create(':memory:', { threads: '1' });
  const c = await db.connect();
  try {
    await c.run(
      `copy (select * from read_csv($csv, header = true, auto_detect = false, columns = {'order_id': 'VARCHAR', 'line_no': 'INTEGER', 'sku': 'VARCHAR', 'quantity': 'INTEGER', 'unit_price': 'DOUBLE'})) to '${parquet.replace(/'/g, "''")}' (format parquet)`,
      { csv },
    );
  } finally {
    c.closeSync();
    db.closeSync();
  }
}
