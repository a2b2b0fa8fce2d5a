import * as fs from 'node:fs';
import * as path from 'node:path';
import * as readline from 'node:readline';
import { DuckDBInstance } from '@duckdb/node-api';
import { loadBronzeFile } from '../activities/ingest/load-bronze';
import events from '../contracts/events.contract';
import { loadConfig } from '../config/config';
import { createLogger } from '../lib/logger';
import { openDeps } from '../lib/open-deps';
import { peakRssMb } from './lib';
import { parseCsvLine } from '../adapters/warehouse/duckdb/duckdb-raw-load';

/**
 * One ingest variant in its own process (bench/ingest.ts runs all three side by side):
 *   raw       DuckDB's own load: CREATE TABLE AS SELECT * FROM read_csv(...) (type sniffing)
 *   validated this product: loadBronzeFile (raw read + contract split + quarantine + audit)
 *   naive     parse each row in Node, validate with zod, append with DuckDB's appender
 */
async function main() {
  const [variant, csv, workDir] = process.argv.slice(2);
  fs.rmSync(workDir, { recursive: true, force: true });
  fs.mkdirSync(workDir, { recursive: true });
  const started = Date.now();
  let rows = 0;
  if (variant === 'raw') {
    const db = await DuckDBInstance.create(path.join(workDir, 'raw.duckdb'));
    const c = await db.connect();
    await c.run(`create table raw_events as select * from read_csv($p)`, { p: csv });
    rows = Number((await c.runAndReadAll('select count(*) as n from raw_events')).getRowObjectsJS()[0].n);
  } else if (variant === 'validated') {
    const deps = await openDeps(loadConfig({ ...process.env, DAG_DATA_DIR: workDir, DAG_LOG_LEVEL: 'error' }));
    const key = 'landing/2026-11-01/events.csv';
    fs.mkdirSync(path.join(workDir, 'objects/landing/2026-11-01'), { recursive: true });
    fs.symlinkSync(csv, path.join(workDir, 'objects', key));
    const t0 = Date.now();
    const r = await loadBronzeFile(
      { ...deps, logger: createLogger({ level: (process.env.BENCH_LOG as 'debug') ?? 'error' }) },
      { date: '2026-11-01', source: 'events', key },
    );
    rows = r.rowsRead;
    process.stderr.write(`validated: ${r.rowsLoaded} loaded, ${r.rowsQuarantined} quarantined in ${Date.now() - t0} ms\n`);
  } else if (variant === 'naive') {
    rows = await naive(csv, workDir);
  } else throw new Error(`unknown variant ${variant}`);
  process.stdout.write(JSON.stringify({ variant, rows, wallMs: Date.now() - started, peakRssMb: peakRssMb() }) + '\n');
}

async function naive(csv: string, workDir: string): Promise<number> {
  const db = await DuckDBInstance.create(path.join(workDir, 'naive.duckdb'));
  const c = await db.connect();
  const cols = events.columns.map((x) => x.name);
  await c.run(`create table bronze_events (${cols.map((x) => `"${x}" varchar`).join(', ')})`);
  const appender = await c.createAppender('bronze_events');
  const lines = readline.createInterface({ input: fs.createReadStream(csv), crlfDelay: Infinity });
  let header: string[] | undefined;
  let n = 0;
  for await (const line of lines) {
    const fields = parseCsvLine(line); // the naive path ignores multi-line fields
    if (!header) {
      header = fields;
      continue;
    }
    n++;
    const record: Record<string, string | null> = {};
    header.forEach((h, i) => (record[h] = fields[i] === '' || fields[i] === undefined ? null : fields[i]));
    if (!events.schema.safeParse(record).success) continue;
    for (const col of cols) {
      const v = record[col];
      if (v === null || v === undefined) appender.appendNull();
      else appender.appendVarchar(v);
    }
    appender.endRow();
  }
  appender.closeSync();
  return n;
}

main().catch((err) => {
  process.stderr.write(String(err?.stack ?? err) + '\n');
  process.exit(1);
});
