import { proxyActivities, setCurrentDetails, workflowInfo } from '@temporalio/workflow';
import { z } from 'zod';
import type { AttributionActivities } from '../activities/attribution';
import type { ComputeAttributionResult } from '../activities/attribution/compute-attribution';
import { ATTRIBUTION_MODELS, DEFAULT_HALF_LIFE_DAYS, DEFAULT_POSITION_WEIGHTS, DEFAULT_WINDOWS, describeSettings } from '../activities/attribution/models';
import { addDays, dateRange, isoDate } from '../lib/dates';
import { LONG_SQL, SHORT } from './shared/activity-options';
import { detailsMarkdown } from './shared/details';
import { fmt, parseInput } from './shared/input';
import { recordingEnd, type RunRecorder } from './shared/run-end';

const { computeAttribution } = proxyActivities<AttributionActivities>(LONG_SQL);
const { writeAttributionReport } = proxyActivities<AttributionActivities>(SHORT);

const MAX_RANGE_DAYS = 366;
const windowDays = z.number().int().min(1).max(365);
export const attributionInput = z
  .object({
    /** First and last conversion day (UTC). Default: both yesterday; one given → that single day. */
    from: isoDate.optional(),
    to: isoDate.optional(),
    /** Default: all six. */
    models: z.array(z.enum(ATTRIBUTION_MODELS)).min(1).optional(),
    /** Lookback window(s) in days, compared side by side. Default: [7, 30] (7 is the primary). */
    windowDays: z.union([windowDays, z.array(windowDays).min(1).max(4)]).optional(),
    /** Time-decay half-life in days. */
    halfLifeDays: z.number().positive().max(365).default(DEFAULT_HALF_LIFE_DAYS),
    /** Position-based shares of the first and last touch; the middle touches share the rest. */
    positionWeights: z
      .object({ first: z.number().min(0).max(1), last: z.number().min(0).max(1) })
      .strict()
      .refine((w) => w.first + w.last > 0 && w.first + w.last <= 1, 'first + last must be above 0 and at most 1')
      .default({ ...DEFAULT_POSITION_WEIGHTS }),
  })
  .strict()
  .refine((i) => !i.from || !i.to || i.from <= i.to, { message: 'must not be before from', path: ['to'] })
  .refine((i) => !i.from || !i.to || dateRange(i.from, i.to).length <= MAX_RANGE_DAYS, {
    message: `the range may span at most ${MAX_RANGE_DAYS} days`,
    path: ['to'],
  });
export type AttributionInput = z.input<typeof attributionInput>;

export interface AttributionResult {
  from: string;
  to: string;
  models: string[];
  /** The settings that produced the rows (columns of gold.attribution). */
  settings?: { halfLifeDays: number; firstWeight: number; lastWeight: number };
  windows: Pick<ComputeAttributionResult, 'windowDays' | 'conversions' | 'attributed' | 'outOfWindow' | 'touches' | 'rows' | 'durationMs'>[];
  /** The report in the object store: open `uri`; `key` is the HTML report's object key. */
  report: { key: string; uri: string; link?: string; markdownKey: string; markdownUri: string; chartKeys: string[]; prefix: string };
  /** Conversion days of the range whose gold partition was never published (silver not gated). */
  unpublishedDates: string[];
  summary: string;
}

/** Rule-based multi-touch attribution for a range: one warehouse pass per window, then the report. */
export async function Attribution(rawInput: AttributionInput = {}): Promise<AttributionResult> {
  return recordingEnd('Attribution', attribution, rawInput, { ended: (r) => ({ status: 'succeeded', summary: r.summary }) });
}

async function attribution(rawInput: AttributionInput, run: RunRecorder): Promise<AttributionResult> {
  const input = parseInput(attributionInput, rawInput, 'Attribution');
  const to = input.to ?? input.from ?? addDays(new Date(workflowInfo().startTime).toISOString().slice(0, 10), -1);
  const from = input.from ?? to;
  await run.begin(to, [from]);
  const models = ATTRIBUTION_MODELS.filter((m) => !input.models || input.models.includes(m));
  const windows = [...new Set(input.windowDays === undefined ? DEFAULT_WINDOWS : [input.windowDays].flat())];
  const runs: ComputeAttributionResult[] = [];
  for (const w of windows) {
    setCurrentDetails(`attribution ${from}..${to}: ${w}-day window (${runs.length + 1} of ${windows.length})`);
    runs.push(
      await computeAttribution.executeWithOptions({ ...LONG_SQL, summary: `attribution ${from}..${to}, ${w}-day window, ${models.length} models` }, [
        {
          from,
          to,
          windowDays: w,
          models: [...models],
          halfLifeDays: input.halfLifeDays,
          firstWeight: input.positionWeights.first,
          lastWeight: input.positionWeights.last,
        },
      ]),
    );
  }
  const settings = { halfLifeDays: input.halfLifeDays, firstWeight: input.positionWeights.first, lastWeight: input.positionWeights.last };
  const report = await writeAttributionReport.executeWithOptions({ ...SHORT, summary: `attribution report ${from}..${to}` }, [
    { from, to, windows, models: [...models], settings },
  ]);
  const share = (r: ComputeAttributionResult) => (r.conversions ? ` (${Math.round((100 * r.attributed) / r.conversions)}%)` : '');
  const unpublishedDates = runs[0]?.unpublishedDates ?? [];
  const facts = [
    `${fmt(runs[0]?.conversions ?? 0)} conversions ${from}..${to}`,
    runs.map((r) => `attributed ${r.windowDays}d: ${fmt(r.attributed)}${share(r)}`).join(', '),
    ...(unpublishedDates.length ? [`${unpublishedDates.length} days without published gold`] : []),
    describeSettings(settings),
    // Runs captured before the console existed carry no link: their file/bucket address stays.
    `report ${report.link ?? report.uri}`,
  ];
  const summary = facts.join('; ');
  setCurrentDetails(detailsMarkdown(`attribution ${from}..${to}`, facts));
  return {
    from,
    to,
    models: [...models],
    settings,
    windows: runs.map(({ windowDays, conversions, attributed, outOfWindow, touches, rows, durationMs }) => ({
      windowDays,
      conversions,
      attributed,
      outOfWindow,
      touches,
      rows,
      durationMs,
    })),
    report: {
      key: report.htmlKey,
      uri: report.uri,
      ...(report.link ? { link: report.link } : {}),
      markdownKey: report.markdownKey,
      markdownUri: report.markdownUri,
      chartKeys: report.chartKeys,
      prefix: report.prefix,
    },
    unpublishedDates,
    summary,
  };
}
