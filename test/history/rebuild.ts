import * as fs from 'node:fs';
import * as path from 'node:path';
import { createHash, randomUUID } from 'node:crypto';
import { LocalObjectStore } from '../../adapters/object-store/local/local-object-store';
import { loadConfig } from '../../config/config';
import type { ActivityDeps } from '../../lib/deps';
import { createLogger } from '../../lib/logger';
import { openDeps } from '../../lib/open-deps';
import { createDagWorker } from '../../workers/worker';
import { runWorker, tempDataDir } from '../support/temporal';
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
 * A rebuild is memoised by its inputs: after each date the warehouse file is kept under the
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
        const handle = await this.env.client.workflow.start('NightlyPipeline', {
          taskQueue: this.taskQueue,
          workflowId: `rebuild-${randomUUID()}`,
          args: [{ date: dates[i], review: false, ...(model.lastRun(dates[i])?.acceptPartial ? { acceptPartial: true } : {}) }],
        });
        const o = await outcome(dates[i], handle);
        outcomes.set(dates[i], { status: o.status, summary: o.summary });
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
    const config = loadConfig({ DAG_DATA_DIR: dir, DAG_TASK_QUEUE: this.taskQueue, DAG_LOG_LEVEL: 'error' });
    const deps = await openDeps(config);
    return { ...deps, logger: createLogger({ level: 'error' }) };
  }
}

/** Chains the hash of the deliveries of the dates so far with the next date's. */
function hashDelivery(previous: string, date: string, model: LandingModel): string {
  const h = createHash('sha256')
    .update(previous)
    .update(date)
    .update(model.lastRun(date)?.acceptPartial ? 'partial' : 'whole');
  for (const [key, obj] of [...model.delivered.get(date)!].sort(([a], [b]) => (a < b ? -1 : 1))) h.update(key).update(obj.bytes);
  return h.digest('hex');
}
