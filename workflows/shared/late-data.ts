import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import { defineSignal, executeChild, getExternalWorkflowHandle, patched, proxyActivities, setHandler, sleep } from '@temporalio/workflow';
import type { LateArrivals, LateDataActivities } from '../../activities/late-data';
import { addDays } from '../../lib/dates';
import { SHORT } from './activity-options';
import { nightlyWorkflowId } from './names';
import { summarised } from './summarised';

/**
 * Late data, after a partition's gold is published (issue #14; README "Late data"):
 *   - its own sessions: if the day before changed while this run built them (a visit across
 *     midnight now continues, or no longer does), the run starts over (continue-as-new);
 *   - what its files brought for earlier days within the lookback: the days late orders and visits
 *     belong to are re-attributed (the nightly's Attribution child covers them), and the days whose
 *     money a late or corrected FX rate changes are re-run;
 *   - the day after: if its sessions continue this day's visits and no longer match, it is re-run.
 * Re-runs are that date's own NightlyPipeline (`nightly-<date>`, its one writer) as a child.
 */
const activities = proxyActivities<LateDataActivities>(SHORT);
const inspectLateData = summarised(activities.inspectLateData, SHORT, (i) => `late data of ${i.date}: what it brought for other days`);
const settleBlockedPartition = summarised(activities.settleBlockedPartition, SHORT, (i) => `blocked ${i.date}: marts, late data and the days that read it`);

/** While another run holds `nightly-<date>` (runs without the 'late-data-tell-busy-run' patch): how often and how long to wait before giving up. */
const BUSY_WAIT = '30 seconds';
const BUSY_TRIES = 10;

/**
 * Sent by a run that changed data a run in progress read (the day before's sessions, an earlier
 * day's FX rates): that run starts over before it ends successfully. The argument says why.
 */
export const inputsChangedSignal = defineSignal<[string]>('inputsChanged');

/**
 * Listens for inputsChangedSignal; returns the latest reason received (undefined: none). Call at
 * the start of the run. A run that was told starts over before it ends, published or blocked
 * (other days read a blocked day's silver too); a blocked one without opening another review.
 */
export function listenForChangedInputs(): () => string | undefined {
  let reason: string | undefined;
  setHandler(inputsChangedSignal, (why: unknown) => {
    // It becomes the next run's `reason` input (at most 300 characters): anyone can signal, so clip it.
    const text = typeof why === 'string' ? why.trim().slice(0, 200) : '';
    reason = text || 'another run changed data this run read';
  });
  return () => reason;
}

export interface LateDataStep {
  /** First day the nightly's attribution covers (the partition itself when nothing late arrived). */
  attributeFrom: string;
  lines: string[];
  arrivals: LateArrivals;
  rebuildNext: boolean;
  recheck: string[];
}

/**
 * After publishing: 'rebuild' when the day before changed while this run built its sessions (only
 * once per chain: `mayRebuild`); otherwise what arrived late (recorded) and which earlier days
 * attribution must cover.
 */
export async function lateDataAfterPublish(date: string, mayRebuild: boolean): Promise<LateDataStep | 'rebuild'> {
  const inspection = await inspectLateData({ date, mayRebuild });
  if (inspection.rebuildSelf || !inspection.arrivals) return 'rebuild';
  const a = inspection.arrivals;
  const lines: string[] = [];
  const dates = (ds: string[]) => ds.join(', ');
  const n = (count: number, what: string) => `${count} ${what}${count === 1 ? '' : 's'}`;
  if (a.attributeFrom) {
    const parts = [
      ...(a.lateOrders.facts ? [`${n(a.lateOrders.facts, 'order')} dated ${dates(a.lateOrders.dates)}`] : []),
      ...(a.lateSessions.facts ? [`${n(a.lateSessions.facts, 'visit')} dated ${dates(a.lateSessions.dates)}`] : []),
    ];
    const what = parts.length ? parts.join(', ') : 'none left of what its previous run brought';
    lines.push(`late data: ${what} → attribution re-run for ${a.attributeFrom}..${date}`);
  }
  if (a.beyondLookback.facts)
    lines.push(`${n(a.beyondLookback.facts, 'order')} older than the ${a.lookbackDays}-day lookback (${dates(a.beyondLookback.dates)}) not re-attributed`);
  return { attributeFrom: a.attributeFrom ?? date, lines, arrivals: a, rebuildNext: inspection.rebuildNext, recheck: inspection.recheck ?? [] };
}

/**
 * Re-runs the days whose money this delivery's FX rates changed, then the day after if it
 * continues this one, then later days whose orphan_purchases verdict this day's sessions changed.
 */
export async function rerunAffected(
  date: string,
  step: Pick<LateDataStep, 'rebuildNext' | 'recheck'> & { arrivals: { fxStale: string[] } },
): Promise<string[]> {
  const out: string[] = [];
  const done = new Set<string>();
  for (const d of step.arrivals.fxStale) {
    done.add(d);
    out.push(`FX rates for ${d} changed: ${await rerunPartition(d, `FX rates delivered with ${date} change its money`)}`);
  }
  const next = addDays(date, 1);
  if (step.rebuildNext && !done.has(next)) {
    done.add(next);
    out.push(`sessions of ${next} continue ${date}: ${await rerunPartition(next, `its sessions continue ${date}, which changed`)}`);
  }
  if (step.recheck.length && patched('late-data-recheck-later-days'))
    for (const d of step.recheck.filter((x) => !done.has(x)))
      out.push(`orphan_purchases of ${d} reads ${date}'s sessions: ${await rerunPartition(d, `${date}'s sessions change its orphan_purchases verdict`)}`);
  return out;
}

/**
 * After the partition was blocked: other days read its silver all the same (whole-table marts,
 * the next day's sessions, later days' orphan checks, FX rates it delivered, earlier days'
 * attribution), so the marts are rebuilt, the earlier days its late facts belong to are
 * re-attributed, and the days that no longer agree with it are re-run, as after a publication.
 * The day itself is not attributed (its gold is not published).
 */
export async function rerunNeighboursOfBlocked(date: string): Promise<string[]> {
  const n = await settleBlockedPartition({ date });
  const out: string[] = [];
  const before = addDays(date, -1);
  if (n.arrivals.attributeFrom && n.arrivals.attributeFrom <= before) {
    // Its late orders and visits count for the days they belong to (attribution reads silver), though its own day is not published.
    const from = n.arrivals.attributeFrom;
    try {
      const a = await executeChild('Attribution', {
        workflowId: `attribution-${date}`,
        args: [{ from, to: before }],
        staticSummary: `Attribution for ${from}..${before} (late data of blocked ${date})`,
      });
      out.push(`late data of ${date} → attribution re-run for ${from}..${before}: ${(a as { summary: string }).summary}`);
    } catch (err) {
      out.push(`late data of ${date} → attribution for ${from}..${before} FAILED: ${(err as Error).message}`);
    }
  }
  return [...out, ...(await rerunAffected(date, { rebuildNext: n.rebuildNext, recheck: n.recheck, arrivals: { fxStale: n.fxStale } }))];
}

/**
 * Runs `date`'s NightlyPipeline as a child. When a run already holds `nightly-<date>`, it is sent
 * inputsChangedSignal and starts over before it succeeds (runs started before that patch: waited
 * for, up to BUSY_TRIES × BUSY_WAIT).
 */
async function rerunPartition(date: string, reason: string): Promise<string> {
  const workflowId = nightlyWorkflowId(date);
  for (let attempt = 1; ; attempt++) {
    try {
      const r = await executeChild('NightlyPipeline', {
        workflowId,
        args: [{ date, review: false, reason }],
        staticSummary: `Nightly pipeline for ${date} (re-run: ${reason})`,
      });
      return `${date} rebuilt (${(r as { status: string }).status})`;
    } catch (err) {
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) return `${date} re-run FAILED: ${(err as Error).message}`;
      if (patched('late-data-tell-busy-run')) {
        // The run in progress may wait hours for a review: tell it instead of waiting. If it ended
        // in between (the signal finds no run), start the re-run again.
        const told = await getExternalWorkflowHandle(workflowId)
          .signal(inputsChangedSignal, reason)
          .then(
            () => true,
            () => false,
          );
        if (told) return `told the run in progress (${workflowId}), which starts over before it succeeds`;
        if (attempt >= BUSY_TRIES) return `${date} left to the run of it in progress (${workflowId}), which re-checks when it ends`;
        continue;
      }
      if (attempt >= BUSY_TRIES) return `${date} left to the run of it in progress (nightly-${date}), which re-checks when it ends`;
      await sleep(BUSY_WAIT);
    }
  }
}
