import type { Step } from './steps';

/**
 * Histories that once failed, kept so the bug they found stays fixed. Each names the issue item
 * it reproduces; the minimal ones soak found (seed + shrunk steps) are in the notes of the
 * change that fixed them. Run by regressions.test.ts with every check of invariants.ts.
 * Picks index the sorted keys of the landing area at that step (steps.ts).
 */
export interface RegressionCase {
  name: string;
  firstDate: string;
  days: number;
  steps: Step[];
}

const day0 = (variant = 0): Step => ({ kind: 'deliver', day: 0, variant, events: 10, orders: 3 });
const run0: Step = { kind: 'run', day: 0 };

export const REGRESSIONS: RegressionCase[] = [
  {
    name: '#13.1 restored bytes (A → B → A) are loaded again, not skipped by an older checksum',
    firstDate: '2027-09-01',
    days: 1,
    steps: [day0(), run0, { kind: 'replace', pick: 0, variant: 1, rows: 12 }, run0, { kind: 'restore', pick: 0, back: 0 }, run0],
  },
  {
    name: '#13.2 a deleted object is retracted and a re-named correction does not double the day',
    firstDate: '2027-09-03',
    days: 1,
    steps: [
      day0(),
      run0,
      { kind: 'delete', pick: 0 },
      { kind: 'land', day: 0, source: 'events', suffix: 2, format: 'csv', variant: 1, rows: 12, shape: 'rows' },
      run0,
    ],
  },
  {
    name: '#13.2 a renamed object (same bytes) keeps the day once',
    firstDate: '2027-09-05',
    days: 1,
    steps: [day0(), run0, { kind: 'rename', pick: 0, to: 0 }, run0],
  },
  {
    name: '#13.3 a truncated gzip blocks publication and the run names it',
    firstDate: '2027-09-07',
    days: 1,
    steps: [day0(), { kind: 'land', day: 0, source: 'events', suffix: 1, format: 'csv.gz', variant: 2, rows: 20, shape: 'truncated_gzip' }, run0],
  },
  {
    name: '#13.4 a header-only file is never a duplicate of another date’s header-only file',
    firstDate: '2027-09-09',
    days: 2,
    steps: [
      day0(),
      { kind: 'land', day: 0, source: 'events', suffix: 1, format: 'csv', variant: 0, rows: 0, shape: 'header_only' },
      run0,
      { kind: 'deliver', day: 1, variant: 1, events: 10, orders: 3 },
      { kind: 'land', day: 1, source: 'events', suffix: 1, format: 'csv', variant: 2, rows: 8, shape: 'rows' },
      { kind: 'run', day: 1 },
      { kind: 'land', day: 1, source: 'events', suffix: 1, format: 'csv', variant: 2, rows: 0, shape: 'header_only' },
      { kind: 'run', day: 1 },
    ],
  },
  {
    name: '#13.7 + #15.12 a re-run audits every skipped object and reports the rows the partition holds',
    firstDate: '2027-09-12',
    days: 1,
    steps: [day0(), run0, run0, { kind: 'reupload', pick: 1 }, run0],
  },
  {
    name: '#13.8 an object named with a newline is reported; the others load',
    firstDate: '2027-09-14',
    days: 1,
    steps: [day0(), { kind: 'badName', day: 0, name: 'newline', variant: 1 }, run0],
  },
  {
    name: '#13.8 a 251-character object name loads (its marker gets a safe name)',
    firstDate: '2027-09-16',
    days: 1,
    steps: [day0(), { kind: 'badName', day: 0, name: 'long', variant: 1 }, run0],
  },
  {
    name: 'an emptied landing folder keeps the day until `dag landing retract` withdraws it',
    firstDate: '2027-09-18',
    days: 1,
    steps: [day0(), run0, { kind: 'deleteDay', day: 0 }, run0, { kind: 'retract', day: 0 }],
  },
  {
    name: 'acceptPartial publishes the readable objects and still names the unreadable one',
    firstDate: '2027-09-20',
    days: 1,
    steps: [
      day0(),
      { kind: 'land', day: 0, source: 'events', suffix: 1, format: 'csv.gz', variant: 2, rows: 20, shape: 'truncated_gzip' },
      { kind: 'run', day: 0, acceptPartial: true },
    ],
  },
  {
    // Found by `npm run soak` (seed 20261219, 28 steps; stop 23): the day after's FX rates re-ran
    // the day, which forgot the person's acceptPartial and blocked, in the rebuild only.
    name: 'accepting partial data is a decision about those bytes: a re-run for late FX rates still publishes the day; new unreadable bytes block it',
    firstDate: '2027-10-10',
    days: 2,
    steps: [
      { kind: 'deliver', day: 0, variant: 1, events: 10, orders: 3 },
      { kind: 'land', day: 0, source: 'events', suffix: 1, format: 'csv.gz', variant: 2, rows: 20, shape: 'truncated_gzip' },
      { kind: 'deliver', day: 1, variant: 3, events: 10, orders: 3 },
      { kind: 'run', day: 1 },
      { kind: 'run', day: 0, acceptPartial: true },
      // Other unreadable bytes under the same name were never accepted: the day blocks again.
      { kind: 'land', day: 0, source: 'events', suffix: 1, format: 'csv.gz', variant: 4, rows: 20, shape: 'truncated_gzip' },
      { kind: 'run', day: 0 },
    ],
  },
  {
    name: '#14.7 a day blocked by orphan_purchases because the day before had not run yet is re-run when it does',
    firstDate: '2027-09-24',
    days: 2,
    // Day 1's orders carry a late order of a day-0 client, whose session is in day 0's events (and
    // only 4 events: none continues a day-0 visit, so only the orphan verdict can re-run day 1).
    steps: [{ kind: 'deliver', day: 1, variant: 0, events: 4, orders: 3 }, { kind: 'run', day: 1 }, day0(), run0],
  },
  {
    name: '#14.2 a blocked day’s late orders count for the day they belong to, whichever ran first',
    firstDate: '2027-09-27',
    days: 2,
    steps: [
      { kind: 'deliver', day: 1, variant: 0, events: 10, orders: 3 },
      { kind: 'land', day: 1, source: 'events', suffix: 1, format: 'csv.gz', variant: 2, rows: 20, shape: 'truncated_gzip' },
      { kind: 'run', day: 1 },
      day0(),
      run0,
    ],
  },
  {
    name: '#14.5 an accepted cleaning survives re-runs, corrections and backfills; a delivery it no longer fits blocks until a person decides again',
    firstDate: '2027-10-01',
    days: 2,
    // Keys (sorted): 0 events.csv, 1 fx_rates.csv, 2 orders.ndjson of day 0, then day 1's. Day 1's
    // orders (variant 1) carry a late order of day 0, so day 1's runs re-run day 0 by themselves.
    steps: [
      { kind: 'deliver', day: 0, variant: 0, events: 10, orders: 3, anomaly: true },
      { kind: 'deliver', day: 1, variant: 1, events: 10, orders: 3 },
      // negative_revenue blocks day 0; bob accepts "quarantine o-neg-20271001-0"; gold is published.
      { kind: 'cleanAccept', day: 0 },
      // A re-run rebuilds silver from bronze: the accepted plan is re-applied.
      run0,
      { kind: 'run', day: 1 },
      // Corrected orders, same refund: the plan still fits (same rows) and is re-applied.
      { kind: 'replace', pick: 2, variant: 0, rows: 5 },
      run0,
      // Another refund (o-neg-20271001-1): the plan no longer fits, the day blocks (no review asked).
      { kind: 'replace', pick: 2, variant: 1, rows: 5 },
      run0,
      // With review: a new plan for the new refund; bob accepts it (it supersedes the first).
      { kind: 'cleanAccept', day: 0 },
      // The first refund's bytes back: the plan in force no longer fits; a backfill blocks day 0.
      { kind: 'restore', pick: 2, back: 0 },
      { kind: 'backfill', from: 0, to: 1 },
      // A clean re-delivery: the plan is not needed any more; the backfill publishes.
      { kind: 'deliver', day: 0, variant: 2, events: 10, orders: 3 },
      { kind: 'backfill', from: 0, to: 1 },
    ],
  },
  {
    name: 'the worker SIGKILLed right after a bronze load committed; the date is re-run',
    firstDate: '2027-09-22',
    days: 1,
    steps: [day0(), { kind: 'replace', pick: 0, variant: 3, rows: 14 }, { kind: 'kill', day: 0, then: 'rerun' }, run0],
  },
];
