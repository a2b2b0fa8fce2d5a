// eslint-disable-next-line @typescript-eslint/no-require-imports
const { timeFactor } = require('./time-factor.js') as { timeFactor: () => number };

/**
 * The suite's time factor (test/support/time-factor.js): jest.config.js computes it once per run
 * and passes it to the test workers as DAG_TEST_TIME_FACTOR.
 */
export const TIME_FACTOR = timeFactor();

/** A time limit for this machine: `ms` on an idle one, longer on a busy one. */
export const scaled = (ms: number): number => Math.round(ms * TIME_FACTOR);

/** Thrown by a waitFor probe when the condition can no longer come true (the run ended): waitFor rethrows it at once. */
export class StopWaiting extends Error {}

/**
 * Polls `probe` until it returns something other than undefined/false, then returns it; throws
 * naming `what` (and the last value or error seen; errors count as not yet, except StopWaiting) after `timeoutMs` × the time factor. Waiting on a
 * condition, never sleeping for a fixed time.
 */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined | false>,
  opts: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<T> {
  const limit = scaled(opts.timeoutMs ?? 60_000);
  const deadline = Date.now() + limit;
  let last: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined && v !== false) return v;
      last = v;
    } catch (err) {
      if (err instanceof StopWaiting) throw err;
      last = (err as Error).message;
    }
    if (Date.now() > deadline) throw new Error(`${what}: not within ${limit} ms (last: ${JSON.stringify(last)?.slice(0, 300)})`);
    await new Promise((r) => setTimeout(r, opts.intervalMs ?? 200));
  }
}
