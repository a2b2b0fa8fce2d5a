import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import { defineQuery, executeChild, ParentClosePolicy, proxyActivities, setCurrentDetails, setHandler } from '@temporalio/workflow';
import { z } from 'zod';
import type { Activities } from '../activities';
import { dateRange, isoDate } from '../lib/dates';
import { SHORT } from './shared/activity-options';
import { detailsMarkdown } from './shared/details';
import { parseInput } from './shared/input';
import { summarised } from './shared/summarised';
import { nightlyWorkflowId } from './shared/names';
import { recordingEnd, type RunEnd, type RunRecorder } from './shared/run-end';
import { NightlyPipeline, nightlyInput } from './nightly-pipeline';

const partitionStatuses = summarised(proxyActivities<Activities>(SHORT).partitionStatuses, SHORT, (i) => `read the recorded status of ${i.from}..${i.to}`);

export const backfillInput = z
  .object({
    from: isoDate,
    to: isoDate,
    maxConcurrent: z.number().int().min(1).max(16).default(2),
    /** all: every date · missing: never run · failed-or-missing: also blocked/failed ones (resume). */
    only: z.enum(['all', 'missing', 'failed-or-missing']).default('all'),
    /** Only say which dates would run. */
    dryRun: z.boolean().default(false),
    generate: nightlyInput.shape.generate,
    /**
     * Open a cleaning review for each blocked date and wait for it (default false: a backfill
     * reports blocked dates; review them one by one, then resume with only "failed-or-missing").
     */
    review: z.boolean().default(false),
  })
  .strict()
  .refine((i) => i.from <= i.to, { message: '"from" must not be after "to"', path: ['from'] })
  .refine((i) => dateRange(i.from, i.to).length <= 366, { message: 'at most 366 days per backfill', path: ['to'] });
export type BackfillInput = z.input<typeof backfillInput>;

export type DateOutcome = 'succeeded' | 'blocked' | 'failed' | 'already_running';
export interface BackfillProgress {
  state: 'planning' | 'running' | 'done';
  plan: string[];
  skipped: string[];
  done: Record<string, DateOutcome>;
  running: string[];
}
export interface BackfillResult extends BackfillProgress {
  counts: Record<DateOutcome, number>;
  dryRun: boolean;
}

export const backfillProgress = defineQuery<BackfillProgress>('backfillProgress');

/**
 * Runs NightlyPipeline for each date of a range as child workflows (`nightly-<date>`, so a date
 * never runs twice at once), at most `maxConcurrent` at a time. The plan is fixed — and shown —
 * before anything runs; a failed date does not stop the others; re-running with
 * `only: "failed-or-missing"` resumes without redoing the dates that succeeded.
 */
export async function Backfill(rawInput: BackfillInput): Promise<BackfillResult> {
  return recordingEnd('Backfill', backfill, rawInput, { ended: backfillEnd, partitionAttribute: false });
}

async function backfill(rawInput: BackfillInput, run: RunRecorder): Promise<BackfillResult> {
  const input = parseInput(backfillInput, rawInput, 'Backfill');
  // The query answers from the first workflow task on ("planning"), before anything is awaited.
  const progress: BackfillProgress = { state: 'planning', plan: [], skipped: [], done: {}, running: [] };
  setHandler(backfillProgress, () => progress);
  await run.begin(input.to, [input.from]);
  const all = dateRange(input.from, input.to);
  const known = new Map((await partitionStatuses({ from: input.from, to: input.to })).map((s) => [s.date, s.status]));
  const wanted = (d: string) => input.only === 'all' || !known.has(d) || (input.only === 'failed-or-missing' && known.get(d) !== 'succeeded');
  progress.plan = all.filter(wanted);
  progress.skipped = all.filter((d) => !wanted(d));
  progress.state = input.dryRun ? 'done' : 'running';
  const counts = (): Record<DateOutcome, number> => {
    const c = { succeeded: 0, blocked: 0, failed: 0, already_running: 0 };
    for (const o of Object.values(progress.done)) c[o]++;
    return c;
  };
  const report = () => {
    const c = counts();
    setCurrentDetails(
      detailsMarkdown(`backfill ${input.from}…${input.to}`, [
        `${Object.keys(progress.done).length} of ${progress.plan.length} dates done`,
        `${c.succeeded} succeeded, ${c.blocked} blocked, ${c.failed} failed${c.already_running ? `, ${c.already_running} already running` : ''}`,
        `running: ${progress.running.join(', ') || '-'}`,
        `only ${input.only}, ${progress.skipped.length} skipped`,
      ]),
    );
  };
  report();
  if (input.dryRun) return { ...progress, counts: counts(), dryRun: true };

  const queue = [...progress.plan];
  const lane = async () => {
    for (let date = queue.shift(); date; date = queue.shift()) {
      progress.running.push(date);
      report();
      progress.done[date] = await runDate(date, input.generate, input.review);
      progress.running = progress.running.filter((d) => d !== date);
      report();
    }
  };
  await Promise.all(Array.from({ length: Math.min(input.maxConcurrent, queue.length) }, lane));
  progress.state = 'done';
  return { ...progress, counts: counts(), dryRun: false };
}

/** Failed if a date failed, blocked if a date is blocked or held by another run, else succeeded. */
function backfillEnd(r: BackfillResult): RunEnd {
  const c = r.counts;
  const summary = r.dryRun
    ? `dry run: would run ${r.plan.length} date(s), skip ${r.skipped.length}`
    : `${c.succeeded} succeeded, ${c.blocked} blocked, ${c.failed} failed, ${c.already_running} already running of ${r.plan.length} date(s)`;
  return { status: c.failed ? 'failed' : c.blocked || c.already_running ? 'blocked' : 'succeeded', summary };
}

async function runDate(date: string, generate: BackfillInput['generate'], review: boolean): Promise<DateOutcome> {
  try {
    const r = await executeChild(NightlyPipeline, {
      workflowId: nightlyWorkflowId(date),
      args: [{ date, review, ...(generate ? { generate } : {}) }],
      parentClosePolicy: ParentClosePolicy.REQUEST_CANCEL,
      staticSummary: `Nightly pipeline for ${date} (backfill)`,
    });
    return r.status === 'succeeded' ? 'succeeded' : r.status === 'blocked' ? 'blocked' : 'failed';
  } catch (err) {
    // A manual or scheduled run of the same date holds the id: never two writers per partition.
    if (err instanceof WorkflowExecutionAlreadyStartedError) return 'already_running';
    return 'failed';
  }
}
