import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import { continueAsNew, executeChild, patched, proxyActivities, setCurrentDetails, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import { z } from 'zod';
import type { Activities } from '../activities';
import type { ChecksOutcome } from '../activities/quality/run-checks';
import { addDays, isoDate } from '../lib/dates';
import { attribute, openReview } from './shared/downstream';
import { lateDataAfterPublish, listenForChangedInputs, rerunAffected, rerunNeighboursOfBlocked } from './shared/late-data';
import { LONG_SQL, SHORT } from './shared/activity-options';
import { fmt, parseInput } from './shared/input';
import { loadBronze, type LoadSummary } from './shared/bronze';
import { detailsMarkdown } from './shared/details';
export { unmatchedWarning } from './shared/bronze';
import { buildLayer, checkStage, describeChecks, type LayerRun } from './shared/layers';
import { nightlyWorkflowId } from './shared/names';
import { recordingEnd, type RunRecorder } from './shared/run-end';
import { PartitionDate, PipelineStatus, ScheduledStartTime, type PipelineStatusValue } from './shared/search-attributes';

const { generateDemoData } = proxyActivities<Activities>(LONG_SQL);
const { publishGold, discardStagedGold, recordPipelineRun } = proxyActivities<Activities>(SHORT);
const { reapplyCleaningPlans } = proxyActivities<Activities>(LONG_SQL);

export const nightlyInput = z
  .object({
    /** Partition date; default: yesterday (UTC) of the time the run was due. */
    date: isoDate.optional(),
    /** Where the raw files come from; only the landing area exists today. */
    source: z.enum(['landing']).default('landing'),
    /** Generate demo data into the landing area first. */
    generate: z
      .object({
        rows: z.number().int().min(1).max(50_000_000).default(100_000),
        anomalies: z.boolean().default(false),
        seed: z.number().int().default(42),
        /** Visits across midnight and orders delivered the next day (generator/late-arrivals.ts). */
        lateArrivals: z.boolean().default(false),
      })
      .strict()
      .optional(),
    /**
     * When a blocking check fails: open a CleaningReview (AI-proposed plan, human approval) and
     * wait for it (true, default), or just report the partition blocked (false).
     */
    review: z.boolean().default(true),
    /** Why another run started this one (a re-run for late data); shown first in the summary. */
    reason: z.string().trim().min(1).max(300).optional(),
    /**
     * Publish even when an object of the delivery could not be read (check files_failed then
     * only warns): the day goes out without that object's rows, and the summary says so.
     */
    acceptPartial: z.boolean().default(false),
    /**
     * Withdraw objects that are no longer in the landing folder although the folder is empty
     * (normally kept, as archived): every one ("all") or these keys. `dag landing retract`.
     */
    retract: z.union([z.literal('all'), z.array(z.string().min(1).max(1024)).min(1).max(1000)]).optional(),
  })
  .strict();
export type NightlyInput = z.input<typeof nightlyInput>;

export interface NightlyResult {
  date: string;
  status: Exclude<PipelineStatusValue, 'running'>;
  summary: string;
  /** Set when a blocking check stopped publication: which stage and which checks. */
  blocked?: { stage: 'silver' | 'gold'; failedChecks: string[] };
  /** layers.bronze: what the partition holds in bronze after the loads (rows, quarantined rows, objects; per source). */
  layers: {
    bronze: { rows: number; quarantined: number; files: number; durationMs: number; bySource?: Record<string, { rows: number; quarantined: number }> };
    silver?: LayerRun;
    gold?: LayerRun & { published: string[] };
  };
  checks: ChecksOutcome[];
  /** Each listed object's decision in this run (a skip loads no rows: the partition keeps them). */
  loads: LoadSummary[];
  ignoredFiles: string[];
  /** Objects of the delivery that could not be read (they block publication unless acceptPartial). */
  failedFiles?: { key: string; reason: string }[];
  /** Objects withdrawn from the landing folder whose rows left bronze in this run. */
  retracted?: { key: string; rows: number }[];
  durationMs: number;
}

/** The nightly DAG for one partition: land → bronze → silver → checks → gold (staging) → checks → publish. */
export async function NightlyPipeline(rawInput: NightlyInput = {}): Promise<NightlyResult> {
  return recordingEnd('NightlyPipeline', nightly, rawInput, {
    ended: (r) => ({ status: r.status, summary: r.summary }),
    // A scheduled run only hands its date to the partition's owner (nightly-<date>), which records it.
    ledger: (date) => !isScheduledHandOver(date),
  });
}

async function nightly(rawInput: NightlyInput, run: RunRecorder): Promise<NightlyResult> {
  const input = parseInput(nightlyInput, rawInput, 'NightlyPipeline');
  const started = Date.now();
  const date = input.date ?? defaultPartition();
  await run.begin(date);
  // One writer per partition: the schedule picks its runs' ids, so a scheduled run does its date
  // as `nightly-<date>` (the id `dag run nightly` uses) and is refused while another run holds it.
  if (isScheduledHandOver(date)) return runAsPartitionOwner(date, input);
  const inputsChanged = listenForChangedInputs();
  // A line with parts (attribution's windows and report link, the personas step) becomes one bullet per part.
  const say = (...facts: string[]) =>
    setCurrentDetails(
      detailsMarkdown(
        `partition ${date}`,
        facts.flatMap((f) => f.split(/; | · /)),
      ),
    );
  const status = (s: PipelineStatusValue) => upsertSearchAttributes([{ key: PipelineStatus, value: s }]);
  upsertSearchAttributes([{ key: PartitionDate, value: date }]);
  status('running');
  say('starting');

  if (input.generate) {
    const g = input.generate;
    await generateDemoData.executeWithOptions({ ...LONG_SQL, summary: `generate ${fmt(g.rows)} demo events for ${date}` }, [
      { date, rows: g.rows, seed: g.seed, anomalies: g.anomalies, ...(g.lateArrivals ? { lateArrivals: true } : {}) },
    ]);
  }

  const bronze = await loadBronze(date, input.retract);
  const lines = [...bronze.lines];
  say(...lines);
  const result: NightlyResult = {
    date,
    status: 'succeeded',
    summary: '',
    layers: { bronze: bronze.bronze },
    checks: [],
    loads: bronze.loads,
    ignoredFiles: bronze.ignoredFiles,
    ...(bronze.failedFiles.length ? { failedFiles: bronze.failedFiles } : {}),
    ...(bronze.retracted.length ? { retracted: bronze.retracted } : {}),
    durationMs: 0,
  };
  const finish = async (outcome: NightlyResult['status']) => {
    result.status = outcome;
    result.summary = lines.join(' · ');
    result.durationMs = Date.now() - started;
    await recordPipelineRun.executeWithOptions({ ...SHORT, summary: `record the ${outcome} run of ${date} in ops.pipeline_runs` }, [
      { date, status: outcome === 'succeeded' ? 'succeeded' : outcome === 'blocked' ? 'blocked' : 'failed', summary: result.summary },
    ]);
    status(outcome);
    say(`status: ${outcome}`, ...lines);
    return result;
  };

  if (input.reason) lines.unshift(`re-run: ${input.reason}`);
  for (const stage of ['silver', 'gold'] as const) {
    const layer = await buildLayer(stage, date);
    lines.push(`${stage}: ${fmt(layer.rows)} rows in ${Object.keys(layer.models).length} models`);
    if (stage === 'gold') result.layers.gold = { ...layer, published: [] };
    else result.layers.silver = layer;
    if (stage === 'silver' && patched('late-data-cleaning-replay')) {
      // Silver was rebuilt from bronze: the partition's accepted cleaning plans again (or why not).
      const replay = await reapplyCleaningPlans.executeWithOptions({ ...LONG_SQL, summary: `re-apply accepted cleaning plans of ${date}` }, [{ date }]);
      if (replay.message) lines.push(replay.message);
    }
    say(...lines);
    const checks = await checkStage(stage, date, input.acceptPartial ? ['files_failed'] : undefined);
    result.checks.push(checks);
    lines.push(describeChecks(checks));
    if (!checks.passed) {
      await discardStagedGold.executeWithOptions({ ...SHORT, summary: `discard ${date}'s staged gold (checks failed)` }, [{ date }]);
      if (input.review) {
        status('blocked');
        say(...lines, `waiting for cleaning review cleaning-${date}`);
        const review = await openReview(date);
        if (review.outcome === 'published') {
          lines.push(`cleaned after review and published: ${review.reason}`);
          const late = patched('late-data') ? await afterPublish(date) : undefined;
          if (late === 'rebuild') return rebuild(date, input);
          lines.push(...(late?.lines ?? []), await attribute(date, late?.attributeFrom));
          if (late) lines.push(...(await rerunAffected(date, late)));
          if (inputsChanged()) return rebuild(date, input, inputsChanged());
          return finish('succeeded');
        }
        lines.push(`review: ${review.reason}`);
      }
      result.blocked = { stage, failedChecks: checks.failed };
      lines.push(`gold NOT published for ${date}`);
      if (patched('late-data-neighbours-when-blocked')) {
        lines.push(...(await rerunNeighboursOfBlocked(date)));
        // Other days read a blocked day's silver too: told that its inputs changed, it starts over
        // (without opening another review: a person already decided, or none was asked — the
        // decision is carried into the next run's summary).
        const told = inputsChanged();
        if (told) return rebuild(date, { ...input, review: false }, [told, ...lines.filter((l) => l.startsWith('review: '))].join('; '));
      }
      return finish('blocked');
    }
  }
  const published = await publishGold.executeWithOptions({ ...SHORT, summary: `publish gold for ${date} (atomic swap)` }, [{ date }]);
  result.layers.gold!.published = published.published;
  lines.push(`gold published (${published.published.length} models${published.skipped.length ? `; kept newer ${published.skipped.join(', ')}` : ''})`);
  const late = patched('late-data') ? await afterPublish(date) : undefined;
  if (late === 'rebuild') return rebuild(date, input);
  lines.push(...(late?.lines ?? []), await attribute(date, late?.attributeFrom));
  if (late) lines.push(...(await rerunAffected(date, late)));
  if (inputsChanged()) return rebuild(date, input, inputsChanged());
  return finish('succeeded');
}

/**
 * After publishing (issue #14): when the day before changed while this run built its sessions, the
 * run starts over once (continue-as-new: same workflow id, silver rebuilt, accepted cleanings
 * re-applied); otherwise what the partition brought for earlier days decides what attribution covers.
 */
async function afterPublish(date: string) {
  return lateDataAfterPublish(date, !workflowInfo().continuedFromExecutionRunId);
}

const clip = (s: string, max: number) => (s.length > max ? `${s.slice(0, max - 1)}…` : s);

/** Starts over (continue-as-new): silver rebuilt, accepted cleanings re-applied. `told`: why another run said to (inputsChanged). */
async function rebuild(date: string, input: z.infer<typeof nightlyInput>, told?: string): Promise<never> {
  return continueAsNew<typeof NightlyPipeline>({
    date,
    source: input.source,
    review: input.review,
    acceptPartial: input.acceptPartial,
    reason: clip(told ?? `its own sessions: ${addDays(date, -1)} changed while this run built them`, 300),
  });
}

/** Runs the date as its `nightly-<date>` child; a run already holding that id wins. */
async function runAsPartitionOwner(date: string, input: z.infer<typeof nightlyInput>): Promise<NightlyResult> {
  const workflowId = nightlyWorkflowId(date);
  // patched: the schedule's own run carries the partition too, so a search by PartitionDate or
  // PipelineStatus finds it next to its child (runs captured before this patch replay without it).
  const carriesPartition = patched('scheduled-wrapper-attributes');
  if (carriesPartition) {
    upsertSearchAttributes([
      { key: PartitionDate, value: date },
      { key: PipelineStatus, value: 'running' },
    ]);
    setCurrentDetails(detailsMarkdown(`partition ${date} (scheduled)`, [`runs as ${workflowId}`]));
  }
  try {
    const result = await executeChild(NightlyPipeline, { workflowId, args: [{ ...input, date }], staticSummary: `Nightly pipeline for ${date} (scheduled)` });
    if (carriesPartition) {
      upsertSearchAttributes([{ key: PipelineStatus, value: result.status }]);
      setCurrentDetails(detailsMarkdown(`partition ${date} (scheduled)`, [`ran as ${workflowId}: ${result.status}`]));
    }
    return result;
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) {
      if (carriesPartition) upsertSearchAttributes([{ key: PipelineStatus, value: 'failed' }]);
      throw err;
    }
    const summary = `refused: NightlyPipeline for ${date} is already running as ${workflowId} (one writer per partition)`;
    upsertSearchAttributes([
      { key: PartitionDate, value: date },
      { key: PipelineStatus, value: 'refused' },
    ]);
    setCurrentDetails(summary);
    return {
      date,
      status: 'refused',
      summary,
      layers: { bronze: { rows: 0, quarantined: 0, files: 0, durationMs: 0 } },
      checks: [],
      loads: [],
      ignoredFiles: [],
      durationMs: 0,
    };
  }
}

/** A scheduled run (its id chosen by the schedule) that runs its date as the child nightly-<date>. */
function isScheduledHandOver(date: string): boolean {
  return !!workflowInfo().typedSearchAttributes.get(ScheduledStartTime) && workflowInfo().workflowId !== nightlyWorkflowId(date);
}

/** Yesterday (UTC) of the time the run was due: the schedule's time, else the start time. */
function defaultPartition(): string {
  const info = workflowInfo();
  const due = info.typedSearchAttributes.get(ScheduledStartTime) ?? info.startTime;
  return addDays(new Date(due).toISOString().slice(0, 10), -1);
}
