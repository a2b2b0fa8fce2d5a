import type { ActivityOptions, RetryPolicy } from '@temporalio/workflow';

/**
 * The option sets every workflow reuses. Errors that can never succeed on retry are thrown as
 * non-retryable ApplicationFailures of these types by the activities.
 */
export const NON_RETRYABLE = ['InvalidInput', 'SqlError', 'ContractViolation', 'InvalidIdentifierError', 'InvalidObjectKeyError', 'ConfigError'];

const retry: RetryPolicy = { initialInterval: '2s', backoffCoefficient: 2, maximumInterval: '1m', maximumAttempts: 6, nonRetryableErrorTypes: NON_RETRYABLE };

/** Quick warehouse statements and listings. */
export const SHORT: ActivityOptions = { startToCloseTimeout: '2 minutes', retry };

/** Long SQL (loads, model builds): heartbeats every few seconds, so a dead worker is noticed in 1 minute. */
export const LONG_SQL: ActivityOptions = { startToCloseTimeout: '2 hours', heartbeatTimeout: '1 minute', retry };

/** Calls to an LLM planner/judge: slow, rate limited, retried patiently. */
export const LLM_CALL: ActivityOptions = { startToCloseTimeout: '5 minutes', retry: { ...retry, initialInterval: '5s', maximumAttempts: 5 } };

/** Following a container job for hours: heartbeats carry progress; re-attaches after restarts (unlimited attempts). */
const { maximumAttempts: _bounded, ...unboundedRetry } = retry;
export const CONTAINER_FOLLOW: ActivityOptions = { startToCloseTimeout: '24 hours', heartbeatTimeout: '2 minutes', retry: unboundedRetry };
