import type { Warehouse } from '../../adapters/warehouse/warehouse';
import { compareWarehouses, type CompareScope } from './compare';
import type { LandedObject, LandingModel } from './model';
import type { Rebuild } from './rebuild';
import type { RunOutcome } from './system';

/**
 * What must hold after every run step. Each check has a name, so a soak run can look for one
 * kind of failure at a time (`--checks bronze,audit`):
 *
 * - outcome:  every run ends succeeded or blocked — a bad object never fails a run;
 * - failed:   a delivery with an unreadable object is blocked, and the summary names the object;
 * - bronze:   bronze holds exactly the rows of each delivered object (counted from the model);
 * - audit:    every landing decision wrote an ops.load_audit row (one per listed object, one per
 *             withdrawn object; exactly one per workflow run — a run that starts over is a new one —
 *             unless the worker was killed mid-run);
 * - summary:  the run summary reports what the partition holds (bronze rows in the warehouse);
 * - rebuild:  the warehouse equals a from-scratch rebuild of the current deliveries, and every
 *             date ended the same way in both.
 */
export const CHECKS = ['outcome', 'failed', 'bronze', 'audit', 'summary', 'rebuild'] as const;
export type CheckName = (typeof CHECKS)[number];

export interface Violation {
  check: CheckName;
  message: string;
}

/** What the harness captured just before a run step. */
export interface BeforeRun {
  audit: Map<string, { n: number; runs: number }>;
  /** Date → every object under its folder (what a listing returns, reportable names included). */
  listed: Map<string, LandedObject[]>;
  /** Date → its delivery before this step. */
  delivered: Map<string, Map<string, LandedObject>>;
  /** The step withdraws what emptied folders kept (`dag landing retract`). */
  retract: boolean;
}

/** Decisions per date and object, and how many workflow runs made them. */
export async function auditCounts(wh: Warehouse): Promise<Map<string, { n: number; runs: number }>> {
  const rows = await wh.query<{ d: string; k: string; n: number; runs: number }>(
    `select cast(partition_date as varchar) as d, source_key as k, count(*) as n, count(distinct run_id) as runs from ops.load_audit group by all`,
  );
  return new Map(rows.map((r) => [`${r.d}|${r.k}`, { n: Number(r.n), runs: Number(r.runs) }]));
}

export function captureBefore(model: LandingModel, dates: string[], audit: Map<string, { n: number; runs: number }>, retract = false): BeforeRun {
  return {
    retract,
    audit,
    listed: new Map(dates.map((d) => [d, model.everything(d)])),
    delivered: new Map(dates.map((d) => [d, new Map(model.delivered.get(d) ?? [])])),
  };
}

export async function checkRuns(
  wh: Warehouse,
  model: LandingModel,
  runs: RunOutcome[],
  before: BeforeRun,
  enabled: ReadonlySet<CheckName>,
  rebuild: (() => Promise<Rebuild>) | undefined,
): Promise<Violation[]> {
  const out: Violation[] = [];
  const add = (check: CheckName, message: string) => enabled.has(check) && out.push({ check, message });
  const killed = runs.some((r) => r.killed);

  for (const run of runs) {
    const d = run.date;
    if (run.status !== 'succeeded' && run.status !== 'blocked') add('outcome', `the run of ${d} ended ${run.status}: ${run.failure ?? run.summary}`);
    for (const key of model.failedObjects(d)) {
      // Accepting partial data lets the run publish (other checks may still block it), and so does an
      // earlier acceptance of the same bytes (ops.partial_acceptances); it must still say what is missing.
      const wrongOutcome = !run.acceptPartial && !model.isAcceptedFailure(d, key) && run.status === 'succeeded';
      if ((run.status === 'succeeded' || run.status === 'blocked') && (wrongOutcome || !run.summary.includes(key)))
        add(
          'failed',
          `${key} cannot be read, yet the run of ${d} ended ${run.status} without naming it${run.acceptPartial ? ' (partial data accepted)' : ''}: ${run.summary}`,
        );
    }
  }

  if (enabled.has('bronze')) {
    const held = await wh.query<{ d: string; k: string; n: number }>(
      `select cast(_partition_date as varchar) as d, _source_key as k, count(*) as n from bronze.events group by all
       union all select cast(_partition_date as varchar), _source_key, count(*) from bronze.orders group by all
       union all select cast(_partition_date as varchar), _source_key, count(*) from bronze.fx_rates group by all`,
    );
    const actual = new Map(held.map((r) => [`${r.d}|${r.k}`, Number(r.n)]));
    for (const [d, objects] of model.expectedBronze()) {
      for (const [key, e] of objects) {
        const n = actual.get(`${d}|${key}`) ?? 0;
        if (n !== e.bronzeRows) add('bronze', `bronze holds ${n} rows of ${key}, its current bytes have ${e.bronzeRows} (${e.description})`);
        actual.delete(`${d}|${key}`);
      }
    }
    for (const [dk, n] of actual) {
      const [d, key] = dk.split('|');
      if (model.delivered.has(d)) add('bronze', `bronze holds ${n} rows of ${key}, which is not in the current delivery of ${d}`);
    }
  }

  if (enabled.has('audit') && runs.some((r) => r.status === 'succeeded' || r.status === 'blocked')) {
    const after = await auditCounts(wh);
    for (const run of runs) {
      if (run.status !== 'succeeded' && run.status !== 'blocked') continue;
      const d = run.date;
      const listed = before.listed.get(d) ?? [];
      const withdrawn = [...(before.delivered.get(d)?.keys() ?? [])].filter((k) => !listed.some((o) => o.key === k));
      // With nothing listed, the delivery is kept (archived or lifecycle-deleted objects): nothing is withdrawn.
      const decided = [...listed.map((o) => o.key), ...(listed.some((o) => !o.unaddressable) || before.retract ? withdrawn : [])];
      for (const key of decided) {
        const now = after.get(`${d}|${key}`) ?? { n: 0, runs: 0 };
        const then = before.audit.get(`${d}|${key}`) ?? { n: 0, runs: 0 };
        const n = now.n - then.n;
        // A run that starts over (late data: continue-as-new) is a new workflow run, with its own decisions.
        const runs = Math.max(1, now.runs - then.runs);
        if (n < 1 || (n > runs && !killed))
          add('audit', `the run of ${d} wrote ${n} ops.load_audit rows for ${JSON.stringify(key)} in ${runs} workflow run(s) (one per decision expected)`);
      }
    }
  }

  if (enabled.has('summary')) {
    for (const run of runs) {
      if (!run.result) continue;
      const [h] = await wh.query<{ n: number }>(
        `select (select count(*) from bronze.events where _partition_date = cast($d as date)) + (select count(*) from bronze.orders where _partition_date = cast($d as date))
                + (select count(*) from bronze.fx_rates where _partition_date = cast($d as date)) as n`,
        { d: run.date },
      );
      if (Number(h.n) !== run.result.layers.bronze.rows)
        add('summary', `the summary of ${run.date} reports ${run.result.layers.bronze.rows} bronze rows; the partition holds ${Number(h.n)}`);
    }
  }

  if (enabled.has('rebuild') && rebuild) {
    const rb = await rebuild();
    const dates = model.runDates();
    for (const d of dates) {
      const mine = model.lastRun(d)!;
      const theirs = rb.outcomes.get(d);
      if (theirs?.status !== mine.status)
        add('rebuild', `${d} ended ${mine.status} (${mine.summary}) but ${theirs?.status} in the rebuild (${theirs?.summary})`);
    }
    for (const p of await compareWarehouses(wh, rb.file, compareScope(model, rb))) add('rebuild', p);
  }
  return out;
}

/**
 * Which parts of the warehouse a rebuild must reproduce now. Tables that read other dates
 * (attribution's look-back, whole-table marts) depend on the order dates ran in; a rebuild runs
 * them oldest first, so they are compared where the system's order was equivalent.
 */
export function compareScope(model: LandingModel, rb: Rebuild): CompareScope {
  const dates = model.runDates();
  const succeeded = (d: string) => model.lastRun(d)?.status === 'succeeded' && rb.outcomes.get(d)?.status === 'succeeded';
  const goldDates = dates.filter(succeeded);
  const finalBefore = (d: string) => {
    const start = model.lastRun(d)!.startedAt;
    return model.runs.filter((r) => r.date < d).every((r) => r.closedAt <= start);
  };
  const last = [...model.runs].sort((a, b) => a.startedAt - b.startedAt).at(-1);
  const inOrder = !!last && last.date === dates.at(-1) && model.runs.every((r) => r === last || r.closedAt <= last.startedAt);
  return {
    dates,
    goldDates,
    attributionDates: goldDates.filter(finalBefore),
    wholeTables: !inOrder ? 'none' : succeeded(last.date) ? 'gold' : 'silver',
  };
}
