import type { ActivityOptions, RetryPolicy } from '@temporalio/workflow';
import { DEAD_ATTEMPT } from './dead-attempt';

/**
 * The option sets every workflow reuses, one per activity kind, each with a bounded number of
 * attempts (no activity retries for ever). Errors that can never succeed on retry are thrown as
 * non-retryable ApplicationFailures of these types by the activities (lib/errors.ts turns
 * permanent SQL errors and ConfigErrors into them for every activity).
 *
 * | kind              | timeout                         | attempts | backoff          | worst case before giving up |
 * |-------------------|---------------------------------|----------|------------------|-----------------------------|
 * | SHORT             | 2 min per attempt               | 6        | 2 s ×2 … 1 min   | ~14 min                     |
 * | LONG_SQL          | 2 h, heartbeat 1 min            | 6        | 2 s ×2 … 1 min   | dead worker: ~7 min         |
 * | LLM_CALL          | 5 min per attempt               | 5        | 5 s ×2 … 1 min   | ~27 min                     |
 * | CONTAINER_FOLLOW  | 24 h, heartbeat 2 min           | 30       | 2 s ×2 … 1 min   | 30 re-attaches, and the job's own timeout + 15 min (RobynMmm) |
 */
export const NON_RETRYABLE = ['InvalidInput', 'SqlError', 'ContractViolation', 'InvalidIdentifierError', 'InvalidObjectKeyError', 'ConfigError'];

const retry: RetryPolicy = { initialInterval: '2s', backoffCoefficient: 2, maximumInterval: '1m', maximumAttempts: 6, nonRetryableErrorTypes: NON_RETRYABLE };

/** Quick warehouse statements and listings. */
export const SHORT: ActivityOptions = { startToCloseTimeout: DEAD_ATTEMPT.shortStartToClose, retry };

/** Long SQL (loads, model builds): heartbeats every few seconds, so a dead worker is noticed in 1 minute. */
export const LONG_SQL: ActivityOptions = { startToCloseTimeout: '2 hours', heartbeatTimeout: DEAD_ATTEMPT.longSqlHeartbeat, retry };

/** Calls to an LLM planner/judge: slow, rate limited, retried patiently. */
export const LLM_CALL: ActivityOptions = { startToCloseTimeout: '5 minutes', retry: { ...retry, initialInterval: '5s', maximumAttempts: 5 } };

/**
 * Following a container job for hours: heartbeats carry progress; an attempt lost with its worker
 * re-attaches to the same job (never relaunches), up to 30 times — a worker restarted a few times
 * during a long run is fine, a follower that cannot reach its launcher gives up.
 */
export const CONTAINER_FOLLOW: ActivityOptions = { startToCloseTimeout: '24 hours', heartbeatTimeout: '2 minutes', retry: { ...retry, maximumAttempts: 30 } };
