/**
 * The test bundle's stand-in for workflows/shared/dead-attempt.ts (see workflow-bundle.ts): a
 * killed worker's attempt is retried after 15 s of missing heartbeats (7 heartbeat intervals, so a
 * busy machine does not time out a live attempt) or after 45 s for activities that do not
 * heartbeat (the suite's SHORT activities take a few seconds even on a busy machine).
 */
export const DEAD_ATTEMPT = {
  shortStartToClose: '45 seconds',
  longSqlHeartbeat: '15 seconds',
} as const;
