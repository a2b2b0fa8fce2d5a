import * as fs from 'node:fs';
import { loadConfig } from '../../../config/config';
import { openDeps } from '../../../lib/open-deps';
import { loadBronzeFile } from '../../../activities/ingest/load-bronze';

/**
 * Child process of worker-time-zone.test.ts: loads one landing file with the real bronze load in
 * a fresh data dir, under whatever TZ the parent gave this process, and prints what bronze and
 * the quarantine hold (timestamps as text) as one JSON line.
 * Usage: tz-load.ts <dataDir> <date> <source> <file> [<source> <file> …]
 */
async function main() {
  const [dataDir, date, ...pairs] = process.argv.slice(2);
  const deps = await openDeps(loadConfig({ ...process.env, DAG_DATA_DIR: dataDir, DAG_LOG_LEVEL: 'error' }));
  const out: Record<string, unknown> = {};
  try {
    for (let i = 0; i < pairs.length; i += 2) {
      const [source, file] = [pairs[i], pairs[i + 1]];
      const key = `landing/${date}/${file.split('/').pop()}`;
      await deps.store.put(key, fs.readFileSync(file));
      const r = await loadBronzeFile(deps, { date, source, key });
      const tsColumns = (
        await deps.warehouse.query<{ column_name: string }>(
          `select column_name from information_schema.columns where table_schema = 'bronze' and table_name = $t and data_type like 'TIMESTAMP%' and column_name <> '_loaded_at' order by column_name`,
          { t: source },
        )
      ).map((c) => c.column_name);
      out[source] = {
        status: r.status,
        bronze: await deps.warehouse.query(
          `select _line, ${tsColumns.map((c) => `cast("${c}" as varchar) as "${c}"`).join(', ')} from bronze.${source} order by _line`,
        ),
        quarantine: await deps.warehouse.query(`select line, reasons from ops.quarantine where source = $s order by line`, { s: source }),
      };
    }
    out.sessionTimeZone = (await deps.warehouse.query<{ tz: string }>(`select current_setting('TimeZone') as tz`))[0].tz;
  } finally {
    await deps.warehouse.close();
  }
  process.stdout.write(JSON.stringify(out) + '\n');
}

main().catch((err) => {
  process.stderr.write(`${(err as Error).message}\n`);
  process.exit(1);
});
