import * as fs from 'node:fs';
import * as path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import { loadConfig } from '../config/config';
import { generateDemoData } from '../activities/generate/generate-demo-data';
import { createLogger } from '../lib/logger';
import { openDeps } from '../lib/open-deps';
import { resolveTemporalCli } from '../temporal/cli-binary';
import { startDevServer } from '../temporal/dev-server';
import { createDagWorker } from '../workers/worker';
import { NightlyPipeline } from '../workflows';
import { OUT, fmtInt, fmtS, peakRssMb } from './lib';

/**
 * Issue 3's benchmark, one size per process (so the worker's peak RSS is its own):
 * NightlyPipeline end to end on pre-generated demo data (generation is not timed), with the
 * worker in this process against a real dev server. Orchestration overhead = workflow wall time
 * minus the time covered by at least one running activity (from the workflow history).
 */
async function main() {
  const rows = Number(process.argv[2]);
  const dataDir = path.join(OUT, `pipeline-${rows}`);
  fs.rmSync(dataDir, { recursive: true, force: true });
  const config = loadConfig({ ...process.env, DAG_DATA_DIR: dataDir, DAG_LOG_LEVEL: 'error', DAG_TASK_QUEUE: 'bench' });
  const deps = { ...(await openDeps(config)), logger: createLogger({ level: 'error' }) };
  process.stderr.write(`generating ${fmtInt(rows)} events…\n`);
  await generateDemoData(deps, { date: '2026-11-01', rows, seed: 7, anomalies: false });
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  const server = await startDevServer({ cliPath: resolveTemporalCli()!, headless: true });
  const connection = await NativeConnection.connect({ address: server.address });
  const worker = await createDagWorker({ connection, deps, taskQueue: 'bench' });
  const client = new Client({ connection: await Connection.connect({ address: server.address }) });
  const rssBefore = peakRssMb();
  const running = worker.run();
  const workflowId = `bench-${rows}`;
  const result = await client.workflow.execute(NightlyPipeline, { taskQueue: 'bench', workflowId, args: [{ date: '2026-11-01' }] });
  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  worker.shutdown();
  await running;
  await server.stop();
  const ms = (t: unknown) => {
    const ts = t as { seconds?: { toNumber(): number } | number; nanos?: number };
    return Number(typeof ts.seconds === 'object' ? ts.seconds!.toNumber() : (ts.seconds ?? 0)) * 1000 + (ts.nanos ?? 0) / 1e6;
  };
  const events = history.events ?? [];
  const wfStart = ms(events[0].eventTime);
  const wfEnd = ms(events[events.length - 1].eventTime);
  const started = new Map<number, number>();
  const intervals: [number, number][] = [];
  // Where the time goes, per activity type (printed to stderr; DAG_BENCH_BREAKDOWN=1).
  const typeOf = new Map<number, string>();
  const byType = new Map<string, { n: number; ms: number }>();
  for (const e of events) {
    const scheduled = e.activityTaskScheduledEventAttributes;
    if (scheduled) {
      // buildModel and loadBronzeFile are told apart by their model / object.
      const arg = (() => {
        try {
          const a = JSON.parse(Buffer.from(scheduled.input?.payloads?.[0]?.data ?? []).toString());
          return a.model ? ` ${a.layer}.${a.model}` : a.key ? ` ${a.key}` : '';
        } catch {
          return '';
        }
      })();
      typeOf.set(Number(e.eventId), `${scheduled.activityType?.name ?? '?'}${process.env.DAG_BENCH_BREAKDOWN === 'each' ? arg : ''}`);
    }
    if (e.activityTaskStartedEventAttributes) started.set(Number(e.activityTaskStartedEventAttributes.scheduledEventId), ms(e.eventTime));
    const done = e.activityTaskCompletedEventAttributes;
    if (done) {
      const from = started.get(Number(done.scheduledEventId))!;
      intervals.push([from, ms(e.eventTime)]);
      const t = byType.get(typeOf.get(Number(done.scheduledEventId))!) ?? { n: 0, ms: 0 };
      byType.set(typeOf.get(Number(done.scheduledEventId))!, { n: t.n + 1, ms: t.ms + ms(e.eventTime) - from });
    }
    // Child workflows (attribution, personas) are work too, not orchestration.
    if (e.childWorkflowExecutionStartedEventAttributes) started.set(-Number(e.childWorkflowExecutionStartedEventAttributes.initiatedEventId), ms(e.eventTime));
    const child = e.childWorkflowExecutionCompletedEventAttributes;
    if (child) {
      const from = started.get(-Number(child.initiatedEventId))!;
      intervals.push([from, ms(e.eventTime)]);
      const name = `child ${child.workflowType?.name ?? '?'}`;
      const t = byType.get(name) ?? { n: 0, ms: 0 };
      byType.set(name, { n: t.n + 1, ms: t.ms + ms(e.eventTime) - from });
    }
  }
  const covered = union(intervals);
  if (process.env.DAG_BENCH_BREAKDOWN)
    for (const [type, t] of [...byType].sort((a, b) => b[1].ms - a[1].ms)) process.stderr.write(`${type.padEnd(34)} ×${t.n}  ${(t.ms / 1000).toFixed(2)} s\n`);
  const wall = wfEnd - wfStart;
  process.stdout.write(
    JSON.stringify({
      rows,
      status: result.status,
      wallMs: wall,
      activityMs: covered,
      overheadPct: ((wall - covered) / wall) * 100,
      activities: intervals.length,
      bronzeMs: result.layers.bronze.durationMs,
      silverMs: result.layers.silver?.durationMs,
      goldMs: result.layers.gold?.durationMs,
      checksAndPublishMs: wall - result.layers.bronze.durationMs - (result.layers.silver?.durationMs ?? 0) - (result.layers.gold?.durationMs ?? 0),
      bronzeRows: result.layers.bronze.rows,
      peakRssMb: peakRssMb(),
      rssBeforeRunMb: rssBefore,
    }) + '\n',
  );
}

/** Total length of the union of intervals. */
function union(xs: [number, number][]): number {
  const s = [...xs].sort((a, b) => a[0] - b[0]);
  let total = 0;
  let [cs, ce] = s[0] ?? [0, 0];
  for (const [a, b] of s.slice(1)) {
    if (a > ce) {
      total += ce - cs;
      [cs, ce] = [a, b];
    } else ce = Math.max(ce, b);
  }
  return total + (ce - cs);
}

export interface PipelineBench {
  rows: number;
  status: string;
  wallMs: number;
  activityMs: number;
  overheadPct: number;
  activities: number;
  bronzeMs: number;
  silverMs: number;
  goldMs: number;
  checksAndPublishMs: number;
  bronzeRows: number;
  peakRssMb: number;
}

export function pipelineTable(rs: PipelineBench[]): string {
  const lines = [
    '### NightlyPipeline end to end (bronze → silver → checks → gold → checks → publish)',
    '',
    '| events | status | total s | bronze s | silver s | gold s | checks+publish s | activities | orchestration overhead | worker peak RSS MB |',
    '|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...rs.map(
      (r) =>
        `| ${fmtInt(r.rows)} | ${r.status} | ${fmtS(r.wallMs)} | ${fmtS(r.bronzeMs)} | ${fmtS(r.silverMs)} | ${fmtS(r.goldMs)} | ${fmtS(r.checksAndPublishMs)} | ${r.activities} | ${r.overheadPct.toFixed(1)} % | ${r.peakRssMb} |`,
    ),
    '',
  ];
  if (rs.length >= 2) {
    const [a, b] = [rs[0], rs[rs.length - 1]];
    lines.push(`Scaling ${fmtInt(a.rows)} → ${fmtInt(b.rows)} events (×${(b.rows / a.rows).toFixed(0)}): wall time ×${(b.wallMs / a.wallMs).toFixed(1)}.`, '');
  }
  return lines.join('\n');
}

if (require.main === module) {
  main().catch((err) => {
    process.stderr.write(String(err?.stack ?? err) + '\n');
    process.exit(1);
  });
}
