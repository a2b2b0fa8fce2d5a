import { proxyActivities, setCurrentDetails, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import { z } from 'zod';
import type { Activities } from '../activities';
import { addDays, isoDate } from '../lib/dates';
import { LONG_SQL, SHORT } from './shared/activity-options';
import { fmt, parseInput } from './shared/input';
import { PartitionDate, PipelineStatus, ScheduledStartTime, type PipelineStatusValue } from './shared/search-attributes';

const { generateDemoData, loadBronzeFile } = proxyActivities<Activities>(LONG_SQL);
const { listLandingFiles } = proxyActivities<Activities>(SHORT);

export const nightlyInput = z
  .object({
    /** Partition date; default: yesterday (UTC) relative to the workflow start. */
    date: isoDate.optional(),
    /** Where the raw files come from; only the landing area exists today. */
    source: z.enum(['landing']).default('landing'),
    /** Generate demo data into the landing area first. */
    generate: z
      .object({
        rows: z.number().int().min(1).max(50_000_000).default(100_000),
        anomalies: z.boolean().default(false),
        seed: z.number().int().default(42),
      })
      .strict()
      .optional(),
  })
  .strict();
export type NightlyInput = z.input<typeof nightlyInput>;

export interface LayerSummary {
  rows: number;
  quarantined?: number;
  files?: number;
  durationMs: number;
}

export interface NightlyResult {
  date: string;
  status: PipelineStatusValue;
  summary: string;
  layers: { bronze: LayerSummary };
  loads: { source: string; key: string; status: string; rowsLoaded: number; rowsQuarantined: number; message?: string }[];
  ignoredFiles: string[];
  durationMs: number;
}

/** The nightly DAG for one partition: (generate) → land → bronze → … (see README "Pipeline"). */
export async function NightlyPipeline(rawInput: NightlyInput = {}): Promise<NightlyResult> {
  const input = parseInput(nightlyInput, rawInput, 'NightlyPipeline');
  const started = Date.now();
  const date = input.date ?? defaultPartition();
  const status = (s: PipelineStatusValue) => upsertSearchAttributes([{ key: PipelineStatus, value: s }]);
  upsertSearchAttributes([{ key: PartitionDate, value: date }]);
  status('running');
  setCurrentDetails(`partition ${date}: starting`);

  if (input.generate) {
    const g = input.generate;
    await generateDemoData.executeWithOptions({ ...LONG_SQL, summary: `generate ${fmt(g.rows)} demo events for ${date}` }, [{ date, rows: g.rows, seed: g.seed, anomalies: g.anomalies }]);
  }

  // Bronze: every landing file of the partition, one activity each, in parallel.
  const bronzeStarted = Date.now();
  const listing = await listLandingFiles({ date });
  const loads = await Promise.all(
    listing.files.map((f) => loadBronzeFile.executeWithOptions({ ...LONG_SQL, summary: `bronze ${f.source} ← ${f.key}` }, [{ date, source: f.source, key: f.key }])),
  );
  const bronze: LayerSummary = {
    rows: loads.reduce((s, l) => s + l.rowsLoaded, 0),
    quarantined: loads.reduce((s, l) => s + l.rowsQuarantined, 0),
    files: loads.length,
    durationMs: Date.now() - bronzeStarted,
  };
  const summary = `bronze: ${fmt(bronze.rows)} rows, ${fmt(bronze.quarantined ?? 0)} quarantined from ${loads.length} files`;
  setCurrentDetails(`partition ${date}: ${summary}`);

  // Extension point: silver → checks → gold (staging) → checks → publish (see sql/ and README).

  status('succeeded');
  return {
    date,
    status: 'succeeded',
    summary,
    layers: { bronze },
    loads: loads.map((l) => ({ source: l.source, key: l.key, status: l.status, rowsLoaded: l.rowsLoaded, rowsQuarantined: l.rowsQuarantined, message: l.message })),
    ignoredFiles: listing.ignored,
    durationMs: Date.now() - started,
  };
}

/** Yesterday (UTC) of the time the run was due: the schedule's time, else the start time. */
function defaultPartition(): string {
  const info = workflowInfo();
  const due = info.typedSearchAttributes.get(ScheduledStartTime) ?? info.startTime;
  return addDays(new Date(due).toISOString().slice(0, 10), -1);
}
