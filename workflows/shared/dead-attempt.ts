/**
 * How long Temporal waits before it gives up on an attempt whose worker may have died, and
 * retries it elsewhere: SHORT activities do not heartbeat, so only their start-to-close timeout
 * notices; LONG_SQL activities heartbeat every 2 s, so a minute of silence means a dead worker.
 *
 * A module of its own because the test suite's workflow bundle swaps it for
 * test/support/dead-attempt-fast.ts (test/support/workflow-bundle.ts): the worker-kill tests then
 * wait seconds, not minutes, for Temporal to notice the killed worker. The production values are
 * pinned by test/reliability/config-errors.test.ts.
 */
export const DEAD_ATTEMPT = {
  shortStartToClose: '2 minutes',
  longSqlHeartbeat: '1 minute',
} as const;
