import * as os from 'node:os';
/**
 * Attribution benchmark: 1M sessions and 100k conversions in silver, all six models plus the
 * window summary (what one `computeAttribution` activity does: stage, check, swap into gold),
 * for the 7- and 30-day windows. Each measurement runs in a fresh child process that opens the
 * warehouse file, so its peak RSS (process.resourceUsage().maxRSS, DuckDB included) is that
 * run's alone. Prints a markdown table.
 *
 *   npx tsx bench/attribution.ts [--sessions 1000000] [--conversions 100000] [--repeat 2]
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadConfig } from '../config/config';
import { openDeps } from '../lib/open-deps';
import { computeAttribution } from '../activities/attribution/compute-attribution';
import { ATTRIBUTION_MODELS } from '../activities/attribution/models';

const FROM = '2026-11-24';
const TO = '2026-11-30';
const arg = (name: string, def: number) => Number(process.argv[process.argv.indexOf(`--${name}`) + 1] || def) || def;
const DATA_DIR = path.resolve(__dirname, 'out/attribution');

const openBenchDeps = () => openDeps(loadConfig({ DAG_DATA_DIR: DATA_DIR, DAG_LOG_LEVEL: 'error' }));

/**
 * Sessions spread over the 37 days before TO (so a 30-day lookback is full) among sessions/10
 * clients, channels in the demo brand's mix; conversions over the last 7 days, each by a client
 * that has sessions. Deterministic (hash of the row number).
 */
async function seed(sessions: number, conversions: number): Promise<void> {
  fs.rmSync(DATA_DIR, { recursive: true, force: true });
  const deps = await openBenchDeps();
  const clients = Math.max(1, Math.floor(sessions / 10));
  const p = { sessions, conversions, clients, to: TO };
  await deps.warehouse.exec(`drop table if exists silver.sessions; drop table if exists silver.orders`);
  await deps.warehouse.exec(
    `create table silver.sessions as
     select 'cl_' || cast(c as varchar) || '-' || cast(i as varchar) as session_id, 'cl_' || cast(c as varchar) as client_id, t as session_start_at,
            case when h % 100 < 22 then 'paid_search' when h % 100 < 42 then 'organic_search' when h % 100 < 60 then 'paid_social'
                 when h % 100 < 70 then 'email' when h % 100 < 90 then 'direct' when h % 100 < 96 then 'referral' else 'display' end as channel,
            cast(t as date) as partition_date
     from (select i, hash(i, 'client') % cast($clients as bigint) as c, hash(i, 'channel') as h,
                  cast($to as timestamp) + interval 1 day - to_seconds(cast(hash(i, 'time') % (37 * 86400) as bigint)) as t
           from range(cast($sessions as bigint)) as r(i))`,
    { sessions: p.sessions, clients: p.clients, to: p.to },
  );
  await deps.warehouse.exec(
    `create table silver.orders as
     select 'o_' || cast(i as varchar) as order_id, 'cl_' || cast(hash(i, 'buyer') % cast($clients as bigint) as varchar) as client_id,
            cast($to as timestamp) + interval 1 day - to_seconds(cast(hash(i, 'when') % (7 * 86400) as bigint)) as ordered_at,
            round(10 + (hash(i, 'rev') % 20000) / 100.0, 2) as revenue, true as is_completed, cast($to as date) as partition_date
     from range(cast($conversions as bigint)) as r(i)`,
    { conversions: p.conversions, clients: p.clients, to: p.to },
  );
  await deps.warehouse.exec('checkpoint');
  await deps.warehouse.close();
}

/** Child mode: one computeAttribution run; prints its figures as JSON. */
async function measure(windowDays: number): Promise<void> {
  const deps = await openBenchDeps();
  const started = process.hrtime.bigint();
  const r = await computeAttribution(deps, {
    from: FROM,
    to: TO,
    windowDays,
    models: [...ATTRIBUTION_MODELS],
    halfLifeDays: 7,
    firstWeight: 0.4,
    lastWeight: 0.4,
  });
  const wallSeconds = Number(process.hrtime.bigint() - started) / 1e9;
  await deps.warehouse.close();
  console.log(
    JSON.stringify({
      windowDays,
      conversions: r.conversions,
      touches: r.touches,
      attributed: r.attributed,
      wallSeconds,
      peakRssMiB: process.resourceUsage().maxRSS / 1024,
    }),
  );
}

async function main(): Promise<void> {
  if (process.argv[2] === '--child') return measure(Number(process.argv[3]));
  const sessions = arg('sessions', 1_000_000);
  const conversions = arg('conversions', 100_000);
  const repeat = arg('repeat', 2);
  const seeded = Date.now();
  await seed(sessions, conversions);
  console.error(`seeded ${sessions} sessions, ${conversions} conversions in ${((Date.now() - seeded) / 1000).toFixed(1)} s`);
  const rows: string[] = [];
  for (let run = 1; run <= repeat; run++) {
    for (const w of [7, 30]) {
      const out = execFileSync(process.execPath, [...process.execArgv, __filename, '--child', String(w)], { encoding: 'utf8' });
      const m = JSON.parse(out.trim().split('\n').pop()!);
      rows.push(`| ${run} | ${w} | ${m.conversions} | ${m.touches} | ${m.attributed} | ${m.wallSeconds.toFixed(2)} | ${m.peakRssMiB.toFixed(0)} |`);
    }
  }
  console.log(
    `Attribution, ${sessions} sessions, ${conversions} conversions, all ${ATTRIBUTION_MODELS.length} models + window summary, ${os.cpus().length} cores\n`,
  );
  console.log('| run | window (days) | conversions | touches | attributed | wall (s) | peak RSS (MiB) |');
  console.log('| --- | --- | --- | --- | --- | --- | --- |');
  for (const r of rows) console.log(r);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
