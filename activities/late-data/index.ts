import type { ActivityDeps } from '../../lib/deps';
import { addDays } from '../../lib/dates';
import { renderSqlFile } from '../../lib/sql/render';
import { modelParams } from '../transform/build-model';
import { nowUtc } from '../ingest/load-bronze';
import { evaluate } from '../quality/checks';
import { configuredChecks } from '../quality/run-checks';
import { refreshWholeTableMarts } from '../transform/publish-gold';

/** Whether a partition's sessions still agree with the day before (sql/late-data/session_continuations_stale.sql). */
export type ContinuationState = 'absent' | 'current' | 'stale';

export interface LateArrivals {
  date: string;
  /** DAG_LATE_DATA_LOOKBACK_DAYS. */
  lookbackDays: number;
  /** Earlier days, within the lookback, whose attribution this partition's orders or visits change (now or on its previous run). */
  attributeFrom: string | null;
  /** Completed orders dated before the partition, within the lookback: count and days. */
  lateOrders: { facts: number; dates: string[] };
  /** Visits (late events) that started before the partition, within the lookback. */
  lateSessions: { facts: number; dates: string[] };
  /** Orders dated before the lookback: counted where they landed, never re-attributed. */
  beyondLookback: { facts: number; dates: string[] };
  /** Partitions of the lookback whose money no longer matches the rates visible to them (late or corrected FX rates). */
  fxStale: string[];
}

interface ArrivalRow {
  kind: 'order' | 'session' | 'fx_rate';
  fact_date: string;
  currency: string | null;
  facts: number;
}

/** What other partitions this one's silver changed for (published or blocked alike). */
export interface Neighbours {
  /** The next day's sessions continue this day's visits and no longer match: re-run it. */
  rebuildNext: boolean;
  /** Partitions of the lookback around this one whose money this delivery's FX rates change. */
  fxStale: string[];
  /** Later partitions whose orphan_purchases verdict this day's sessions change (sql/late-data/orphan_verdicts.sql). */
  recheck: string[];
}

/** What a published partition must do about late data (one activity, so the nightly pays one round trip). */
export interface LateDataInspection {
  /** The day before changed while this run built its sessions: start over. */
  rebuildSelf: boolean;
  /** Null when rebuildSelf (nothing recorded). */
  arrivals: LateArrivals | null;
  /** The next day's sessions continue this day's visits and no longer match: re-run it. */
  rebuildNext: boolean;
  /** See Neighbours.recheck (absent in results recorded before it existed). */
  recheck?: string[];
}

export function createLateDataActivities(deps: ActivityDeps) {
  const wh = deps.warehouse;
  const run = async <T>(file: string, date: string, extra: Record<string, string | number> = {}) => {
    const sql = renderSqlFile(file, wh.dialect);
    const params = { ...modelParams(deps, sql, date), ...Object.fromEntries(Object.entries(extra).filter(([k]) => sql.includes(`$${k}`))) };
    return wh.query<T & Record<string, unknown>>(sql, params);
  };
  const activities = {
    /**
     * 'stale' when the partition's first sessions no longer continue (or wrongly continue) the day
     * before's visits still open at midnight: the partition must be rebuilt. 'absent': never built.
     */
    async sessionContinuationState(input: { date: string }): Promise<{ state: ContinuationState; clients: number }> {
      const [row] = await run<{ stale: number; sessions: number }>('late-data/session_continuations_stale.sql', input.date);
      if (Number(row.sessions) === 0) return { state: 'absent', clients: 0 };
      return { state: Number(row.stale) > 0 ? 'stale' : 'current', clients: Number(row.stale) };
    },

    /**
     * Records what the partition brought for earlier days (ops.late_arrivals, replaced per partition)
     * and says what must be recomputed: attribution from the earliest day its orders or visits
     * belong to (including those of its previous run, so a correction that drops a late order
     * re-attributes that day without it), and the partitions whose money a late rate changed.
     */
    async recordLateArrivals(input: { date: string }): Promise<LateArrivals> {
      const lookback = deps.config.lateData.lookbackDays;
      const first = addDays(input.date, -lookback);
      const fresh = (await run<ArrivalRow>('late-data/late_arrivals.sql', input.date)).map((r) => ({ ...r, fact_date: String(r.fact_date).slice(0, 10) }));
      const previous = await wh.query<{ kind: string; d: string }>(
        `select kind, cast(fact_date as varchar) as d from ops.late_arrivals where partition_date = cast($d as date) and kind in ('order', 'session')`,
        { d: input.date },
      );
      await wh.transaction(async (tx) => {
        await tx.exec(`delete from ops.late_arrivals where partition_date = cast($d as date)`, { d: input.date });
        for (const r of fresh)
          await tx.exec(`insert into ops.late_arrivals values (cast($d as date), $kind, cast($fact as date), $cur, $n, cast($now as timestamp))`, {
            d: input.date,
            kind: r.kind,
            fact: r.fact_date,
            cur: r.currency,
            n: Number(r.facts),
            now: nowUtc(),
          });
      });
      const within = (d: string) => d >= first && d < input.date;
      const summarise = (rows: ArrivalRow[]) => ({
        facts: rows.reduce((s, r) => s + Number(r.facts), 0),
        dates: [...new Set(rows.map((r) => r.fact_date))].sort(),
      });
      const touched = [...fresh.filter((r) => r.kind !== 'fx_rate').map((r) => r.fact_date), ...previous.map((r) => r.d)].filter(within).sort();
      const fxStale = await activities.fxStalePartitions(input);
      return {
        date: input.date,
        lookbackDays: lookback,
        attributeFrom: touched[0] ?? null,
        lateOrders: summarise(fresh.filter((r) => r.kind === 'order' && within(r.fact_date))),
        lateSessions: summarise(fresh.filter((r) => r.kind === 'session' && within(r.fact_date))),
        beyondLookback: summarise(fresh.filter((r) => r.kind === 'order' && r.fact_date < first)),
        fxStale,
      };
    },

    /** Partitions of the lookback around this one whose money no longer matches the rates visible to them. */
    async fxStalePartitions(input: { date: string }): Promise<string[]> {
      const lookback = deps.config.lateData.lookbackDays;
      const rows = await run<{ partition_date: string }>('late-data/fx_stale_partitions.sql', input.date, {
        first_date: addDays(input.date, -lookback),
        last_date: addDays(input.date, lookback),
      });
      return rows.map((r) => String(r.partition_date).slice(0, 10));
    },

    /**
     * Later partitions (within DAG_CHECK_SESSION_LOOKBACK_DAYS) whose orphan_purchases verdict is
     * not what it would be now that this day's sessions are what they are: a day that ran before
     * this one was judged without them.
     */
    async laterVerdictsChanged(input: { date: string }): Promise<string[]> {
      const def = configuredChecks(deps, 'silver').find((c) => c.name === 'orphan_purchases');
      if (!def) return [];
      const days = deps.config.lateData.sessionLookbackDays;
      const rows = await run<{ partition_date: string; status: string; observed: number }>('late-data/orphan_verdicts.sql', input.date, {
        last_date: addDays(input.date, days),
        session_lookback_days: days,
      });
      // Only a change between blocking and not matters (a warning publishes all the same).
      const blocks = (status: string) => status === 'fail';
      return rows.filter((r) => blocks(evaluate(def, Number(r.observed))) !== blocks(r.status)).map((r) => String(r.partition_date).slice(0, 10));
    },
  };
  return {
    ...activities,
    /**
     * After a partition's gold is published: must it start over (its day before changed while it
     * built its sessions)? If not, what did it bring for earlier days, and does the next day need a
     * rebuild? (The next day's check needs only this day's sessions, committed before publishing.)
     */
    async inspectLateData(input: { date: string; mayRebuild: boolean }): Promise<LateDataInspection> {
      if (input.mayRebuild && (await activities.sessionContinuationState(input)).state === 'stale')
        return { rebuildSelf: true, arrivals: null, rebuildNext: false, recheck: [] };
      return {
        rebuildSelf: false,
        arrivals: await activities.recordLateArrivals(input),
        rebuildNext: (await activities.sessionContinuationState({ date: addDays(input.date, 1) })).state === 'stale',
        recheck: await activities.laterVerdictsChanged(input),
      };
    },

    /**
     * After a partition was blocked: its silver is built all the same, and other days read it (the
     * whole-table marts, the next day's sessions, later days' orphan checks, other days' money
     * through its FX rates, earlier days' attribution through its late orders and visits). Rebuilds
     * the marts as of the newest published date, records what it brought for earlier days, and
     * says which days must be re-attributed or re-run so they agree with it.
     */
    async settleBlockedPartition(input: { date: string }): Promise<Neighbours & { marts: string[]; arrivals: LateArrivals }> {
      const marts = await refreshWholeTableMarts(deps, input);
      const arrivals = await activities.recordLateArrivals(input);
      return {
        marts,
        arrivals,
        fxStale: arrivals.fxStale,
        rebuildNext: (await activities.sessionContinuationState({ date: addDays(input.date, 1) })).state === 'stale',
        recheck: await activities.laterVerdictsChanged(input),
      };
    },
  };
}

export type LateDataActivities = ReturnType<typeof createLateDataActivities>;
