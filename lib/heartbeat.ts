import { Context } from '@temporalio/activity';
import { CancelledFailure } from '@temporalio/common';
import { StatementCancelledError, type Warehouse } from '../adapters/warehouse/warehouse';

/** The current activity context, or undefined when code runs outside an activity (tests, CLI). */
export function activityContext(): Context | undefined {
  try {
    return Context.current();
  } catch {
    return undefined;
  }
}

/**
 * How often a working activity heartbeats. Cancellation reaches an activity only in the answer
 * to a heartbeat, so this (with the worker's 2 s heartbeat throttle, workers/worker.ts) is how
 * soon a cancelled activity notices.
 */
export const HEARTBEAT_MS = 2000;

/** One heartbeat loop per running activity, shared by withHeartbeat and the warehouse calls it makes. */
interface Beat {
  details?: () => unknown;
  /** The engine's progress of the statement running now (0..1), when it reports one. */
  progress?: number;
  users: number;
  timer?: NodeJS.Timeout;
}
const beats = new WeakMap<Context, Beat>();

function beatOf(ctx: Context): Beat {
  let b = beats.get(ctx);
  if (!b) beats.set(ctx, (b = { users: 0 }));
  return b;
}

const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function send(ctx: Context, b: Beat): void {
  // A copy: callers hand a progress object they keep mutating, and the SDK encodes heartbeat
  // details later (throttled), so the UI would otherwise show a phase the activity reached after it.
  const live = b.details?.();
  const details = isPlainObject(live) ? { ...live } : live;
  if (b.progress === undefined) return ctx.heartbeat(details);
  const sqlProgress = Math.round(b.progress * 1000) / 1000;
  ctx.heartbeat(details === undefined ? { sqlProgress } : isPlainObject(details) ? { ...details, sqlProgress } : details);
}

async function beating<T>(ctx: Context, b: Beat, everyMs: number, work: () => Promise<T>): Promise<T> {
  b.users++;
  if (!b.timer) {
    send(ctx, b);
    b.timer = setInterval(() => send(ctx, b), everyMs);
  }
  try {
    return await work();
  } finally {
    if (--b.users === 0) {
      clearInterval(b.timer);
      b.timer = undefined;
    }
  }
}

/**
 * Heartbeats every `everyMs` while `work` runs, so a long warehouse statement is not mistaken for
 * a dead worker and a cancellation is delivered; `details()` is shown in the UI (plus the running
 * statement's `sqlProgress` where the engine reports it). Warehouse calls inside `work` are
 * interrupted when the activity is cancelled (see activityWarehouse), and the activity then ends
 * cancelled, not failed.
 */
export async function withHeartbeat<T>(work: () => Promise<T>, details: () => unknown = () => undefined, everyMs = HEARTBEAT_MS): Promise<T> {
  const ctx = activityContext();
  if (!ctx) return work();
  const b = beatOf(ctx);
  const outer = b.details;
  b.details = details;
  try {
    return await beating(ctx, b, everyMs, work);
  } catch (err) {
    throw asCancellation(ctx, err);
  } finally {
    b.details = outer;
  }
}

/**
 * The warehouse as activities see it: every call made from an activity heartbeats while it runs
 * (with the statement's progress), and is interrupted — DuckDB interrupt, Snowflake cancel — when
 * the activity is cancelled (workflow cancelled, timed out, worker shutting down), so a cancelled
 * load stops within seconds and its transaction commits nothing. Outside activities it is `wh`.
 */
export function activityWarehouse(wh: Warehouse): Warehouse {
  const run = async <T>(call: (w: Warehouse) => Promise<T>): Promise<T> => {
    const ctx = activityContext();
    if (!ctx || !wh.controlled) return call(wh);
    const b = beatOf(ctx);
    const view = wh.controlled({ signal: ctx.cancellationSignal, onProgress: (p) => (b.progress = p) });
    try {
      return await beating(ctx, b, HEARTBEAT_MS, () => call(view));
    } catch (err) {
      throw asCancellation(ctx, err);
    } finally {
      b.progress = undefined;
    }
  };
  return {
    dialect: wh.dialect,
    scratchSchema: wh.scratchSchema,
    query: (sql, params) => run((w) => w.query(sql, params)),
    exec: (sql, params) => run((w) => w.exec(sql, params)),
    transaction: (fn) => run((w) => w.transaction(fn)),
    loadRawFile: (table, source, columns) => run((w) => w.loadRawFile(table, source, columns)),
    controlled: wh.controlled ? (control) => wh.controlled!(control) : undefined,
    close: () => wh.close(),
  };
}

/** An error of a cancelled activity becomes the CancelledFailure the SDK reports as "cancelled". */
function asCancellation(ctx: Context, err: unknown): unknown {
  if (err instanceof CancelledFailure) return err;
  if (err instanceof StatementCancelledError || ctx.cancellationSignal.aborted) {
    const why = ctx.cancellationDetails;
    const reason = why?.workerShutdown ? 'the worker is shutting down' : why?.timedOut ? 'the activity timed out' : 'the activity was cancelled';
    return new CancelledFailure(`${reason}: ${(err as Error)?.message?.split('\n')[0] ?? String(err)}`);
  }
  return err;
}

/** workflowId / runId / activity / attempt of the running activity, for every log line. */
export function activityLogFields(): Record<string, unknown> {
  const info = activityContext()?.info;
  return info
    ? { workflowId: info.workflowExecution?.workflowId, runId: info.workflowExecution?.runId, activity: info.activityType, attempt: info.attempt }
    : {};
}
