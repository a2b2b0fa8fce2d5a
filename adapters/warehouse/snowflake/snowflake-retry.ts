import type { SdkError } from './snowflake-driver';

/**
 * Retries what can succeed on a second try — the network, throttling, a server restart, a lost
 * session — and never a SQL error (syntax, missing table, constraint): those fail the same way
 * every time and Temporal's activity retry policy is the place to decide about them.
 *
 * snowflake-sdk already retries single HTTP requests (5xx/429/timeouts) within one statement;
 * this layer covers what escapes it: a failed login or pool acquisition, a connection that died
 * between statements, an expired session token, and a statement whose HTTP retries ran out.
 */
export interface RetryPolicy {
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 4, baseDelayMs: 500, maxDelayMs: 8_000 };

const NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ETIMEDOUT',
  'EPIPE',
  'EAI_AGAIN',
  'ENOTFOUND',
  'ECONNABORTED',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'UND_ERR_SOCKET',
]);
// snowflake-sdk client codes (its constants/error_messages.js): 401001/401002 network error or
// failed request to Snowflake, 402001/402002 the same for the stage's cloud storage, 405501-405503
// and 407001/407002 a connection in progress / never established / already terminated.
const SDK_TRANSIENT_CODES = new Set(['401001', '401002', '402001', '402002', '405501', '405502', '405503', '407001', '407002']);
// Snowflake server codes: 390112/390114 session or token expired, 000604 statement aborted by
// the system, 000625 statement retried by service, 000630 warehouse suspended while running.
const SERVER_TRANSIENT_CODES = new Set(['390112', '390114', '000604', '000625', '000630']);
const TRANSIENT_MESSAGE =
  /\b(connection|network|socket hang up|timed? ?out|ECONNRESET|ECONNREFUSED|too many requests|service unavailable|bad gateway|gateway timeout)\b/i;

export function isTransientSnowflakeError(err: unknown): boolean {
  const e = err as SdkError;
  if (!e || typeof e !== 'object') return false;
  const code = e.code === undefined ? '' : String(e.code).padStart(6, '0');
  if (SERVER_TRANSIENT_CODES.has(code) || SDK_TRANSIENT_CODES.has(String(e.code))) return true;
  // SQL state class 08 is "connection exception"; any other SQL state means the server compiled
  // or ran the statement and rejected it, which a retry would only repeat.
  if (e.sqlState) return e.sqlState.startsWith('08');
  if (NETWORK_CODES.has(String(e.code)) || NETWORK_CODES.has(String(e.cause?.code))) return true;
  const status = e.response?.status;
  if (status === 429 || (status !== undefined && status >= 500)) return true;
  return TRANSIENT_MESSAGE.test(e.message ?? '');
}

export async function withRetry<T>(fn: (attempt: number) => Promise<T>, policy: RetryPolicy = DEFAULT_RETRY): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (err) {
      if (attempt >= policy.attempts || !isTransientSnowflakeError(err)) throw err;
      // Full jitter: spread retries of many activities that failed together.
      const cap = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
      await new Promise((r) => setTimeout(r, Math.round(cap / 2 + (Math.random() * cap) / 2)));
    }
  }
}
