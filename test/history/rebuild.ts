import * as fs from 'node:fs';
import * as path from 'node:path';
import { createHash, randomUUID } from 'node:crypto';
import { LocalObjectStore } from '../../adapters/object-store/local/local-object-store';
import { loadConfig } from '../../config/config';
import type { ActivityDeps } from '../../lib/deps';
import { createLogger } from '../../lib/logger';
import { openDeps } from '../../lib/open-deps';
import { createDagWorker } from '../../workers/worker';
import { APPROVERS } from '../security/approvers';
import { runWorker, tempDataDir } from '../support/temporal';
import { decideReviews, isAcceptedKind } from './cleaning';
import type { LandingModel } from './model';
import { outcome, type HistoryEnv } from './system';

export interface Rebuild {
  /** The rebuilt warehouse (closed; attach it read-only to compare). */
  file: string;
  /** How each date's run ended in the rebuild. */
  outcomes: Map<string, { status: string; summary: string }>;
}

/**
 * The oracle of a history: a FROM-SCRATCH REBUILD of the current landing state. The delivery
 * each date last ran with is laid out in a fresh landing folder and every date is run, oldest
 * first, by NightlyPipeline on a fresh DuckDB file — the same code path as the system under
 * test, with none of its history.
 *
 * ACCEPTED CLEANINGS (issue #14.5). The promise is "gold equals a from-scratch rebuild of the
 * current landing state PLUS the cleaning decisions in force". A person's decision is an input
 * like the landing objects, so the rebuild replays the DECISION, not the system's record of it:
 * a date for which the history accepted a plan (model.decisions) runs WITH review, and when its
 * cleaning-<date> review proposes a plan the rebuild's "person" accepts it exactly when
 *   - it is the kind of plan accepted (quarantine what negative_revenue flags), and
 *   - the rows negative_revenue flags in the current delivery (computed by the model from the
 *     objects, not read from any warehouse) are the rows flagged when it was accepted;
 * otherwise it rejects it and the date blocks. The system instead re-applies its stored plan
 * (activities/cleaning/replay.ts) on every re-run, or blocks when the plan no longer fits. So the
 * system's re-application is checked against the review-and-apply path on a fresh warehouse:
 * a plan lost, applied to other rows, or applied when it no longer fits shows as a difference in
 * silver/gold or in how the date ended. Nothing of the system's ops.cleaning_plans is copied.
 * Known limit: a re-run where the accepted rows still fit but ANOTHER flaggable check also fails
 * re-applies the plan in the system and then blocks, while the rebuild, offered one plan for
 * both checks, rejects it: their silver would differ. Histories here plant no such day.
 *
 * A rebuild is memoised by its inputs (deliveries and decisions): after each date the warehouse file is kept under the
 * hash of the deliveries so far, and a later rebuild whose first dates have the same
 * deliveries starts from that file (what a from-scratch run of those dates produces, byte for
 * byte in everything compared). Re-running an unchanged date then costs nothing here.
 */
export class Rebuilder {
  private readonly taskQueue = `rebuild-${randomUUID()}`;
  private readonly root = tempDataDir('rebuild-');
  private readonly prefixes = new Map<string, { file: string; outcomes: Rebuild['outcomes'] }>();
  private current?: ActivityDeps;
  private stopWorker?: () => Promise<void>;
  private seq = 0;

  constructor(private readonly env: HistoryEnv) {}

  async start(): Promise<void> {
    // One worker serves every rebuild: its deps forward each call to the deps of the rebuild in
    // progress (some activity factories keep the warehouse they were given, so forward methods).
    const forward = <T extends object>(pick: (d: ActivityDeps) => T): T =>
      new Proxy({} as T, {
        get: (_t, prop) => {
          const target = pick(this.deps()) as Record<string | symbol, unknown>;
          const value = target[prop];
          return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
        },
      });
    const deps: ActivityDeps = {
      config: forward((d) => d.config),
      warehouse: forward((d) => d.warehouse),
      store: forward((d) => d.store),
      logger: forward((d) => d.logger),
    };
    this.current = await this.open(path.join(this.root, 'initial'));
    const worker = await createDagWorker({
      connection: this.env.connection,
      deps,
      taskQueue: this.taskQueue,
      workflowBundle: { codePath: this.env.bundlePath },
    });
    this.stopWorker = runWorker(worker);
    await this.current.warehouse.close();
  }

  async rebuild(model: LandingModel): Promise<Rebuild> {
    const dates = model.runDates();
    let key = '';
    let start = 0;
    let base: { file: string; outcomes: Rebuild['outcomes'] } | undefined;
    const keys = dates.map((date) => (key = hashDelivery(key, date, model)));
    for (let i = dates.length; i > 0; i--) {
      const hit = this.prefixes.get(keys[i - 1]);
      if (hit) {
        base = hit;
        start = i;
        break;
      }
    }
    if (start === dates.length && base) return { file: base.file, outcomes: new Map(base.outcomes) };
    const outcomes = new Map(base?.outcomes ?? []);
    let file = base?.file;
    for (let i = start; i < dates.length; i++) {
      const dir = path.join(this.root, `r${++this.seq}`);
      fs.mkdirSync(dir, { recursive: true });
      const target = path.join(dir, 'warehouse.duckdb');
      if (file) for (const ext of ['', '.wal']) if (fs.existsSync(file + ext)) fs.copyFileSync(file + ext, target + ext);
      this.current = await this.open(dir);
      try {
        const store = this.current.store as LocalObjectStore;
        for (const obj of model.delivered.get(dates[i])!.values()) await store.put(obj.key, obj.bytes);
        const decision = model.decisions.get(dates[i]);
        const handle = await this.env.client.workflow.start('NightlyPipeline', {
          taskQueue: this.taskQueue,
          workflowId: `rebuild-${randomUUID()}`,
          // A person's acceptance of unreadable bytes is an input, like a cleaning decision.
          args: [{ date: dates[i], review: !!decision, ...(model.partialInForce(dates[i]) ? { acceptPartial: true } : {}) }],
        });
        if (decision) {
          const fits = JSON.stringify(model.flaggedRows(dates[i])) === JSON.stringify(decision.rows);
          await decideReviews(this.env.client, handle, dates[i], (s) => (isAcceptedKind(s) && fits ? 'accept' : 'reject'));
        }
        const o = await outcome(dates[i], handle);
        outcomes.set(dates[i], { status: o.status, summary: o.summary });
        // A run may have re-run earlier dates (late data): each date ended as its latest run did.
        const latest = await this.current.warehouse.query<{ d: string; status: string; summary: string }>(
          `select cast(partition_date as varchar) as d, status, summary from ops.pipeline_runs
           qualify row_number() over (partition by partition_date order by finished_at desc) = 1`,
        );
        for (const r of latest) if (r.d !== dates[i] && outcomes.has(r.d)) outcomes.set(r.d, { status: r.status, summary: r.summary });
      } finally {
        await this.current.warehouse.close();
      }
      file = target;
      this.prefixes.set(keys[i], { file, outcomes: new Map(outcomes) });
    }
    return { file: file!, outcomes };
  }

  /** Forgets the memoised rebuilds (their files) — between histories, to bound the disk used. */
  reset(): void {
    for (const { file } of this.prefixes.values()) fs.rmSync(path.dirname(file), { recursive: true, force: true });
    this.prefixes.clear();
  }

  async close(): Promise<void> {
    this.reset();
    await this.stopWorker?.();
    fs.rmSync(this.root, { recursive: true, force: true });
  }

  private deps(): ActivityDeps {
    if (!this.current) throw new Error('no rebuild in progress');
    return this.current;
  }

  private async open(dir: string): Promise<ActivityDeps> {
    const config = loadConfig({ DAG_DATA_DIR: dir, DAG_TASK_QUEUE: this.taskQueue, DAG_LOG_LEVEL: 'error', DAG_APPROVERS: APPROVERS });
    const deps = await openDeps(config);
    return { ...deps, logger: createLogger({ level: 'error' }) };
  }
}

/** Chains the hash of the deliveries of the dates so far with the next date's. */
function hashDelivery(previous: string, date: string, model: LandingModel): string {
  const h = createHash('sha256')
    .update(previous)
    .update(date)
    .update(model.partialInForce(date) ? 'partial' : 'whole')
    .update(JSON.stringify(model.decisions.get(date) ?? null));
  for (const [key, obj] of [...model.delivered.get(date)!].sort(([a], [b]) => (a < b ? -1 : 1))) h.update(key).update(obj.bytes);
  return h.digest('hex');
}
