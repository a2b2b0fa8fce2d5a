import { Context } from '@temporalio/activity';

/** The current activity context, or undefined when code runs outside an activity (tests, CLI). */
export function activityContext(): Context | undefined {
  try {
    return Context.current();
  } catch {
    return undefined;
  }
}

/**
 * Heartbeats every `everyMs` while `work` runs, so a long warehouse statement is not mistaken for
 * a dead worker, and a cancelled activity is noticed. `details()` is shown in the UI.
 */
export async function withHeartbeat<T>(work: () => Promise<T>, details: () => unknown = () => undefined, everyMs = 5000): Promise<T> {
  const ctx = activityContext();
  if (!ctx) return work();
  ctx.heartbeat(details());
  const timer = setInterval(() => ctx.heartbeat(details()), everyMs);
  try {
    return await work();
  } finally {
    clearInterval(timer);
  }
}

/** workflowId / runId / activity / attempt of the running activity, for every log line. */
export function activityLogFields(): Record<string, unknown> {
  const info = activityContext()?.info;
  return info
    ? { workflowId: info.workflowExecution?.workflowId, runId: info.workflowExecution?.runId, activity: info.activityType, attempt: info.attempt }
    : {};
}
