import { TIME_FACTOR } from './time';

/**
 * Jest setup (setupFilesAfterEnv): every explicit hook and test timeout in test/ is multiplied by
 * the run's time factor (test/support/time.ts), so `test(name, fn, 240_000)` means "240 s on an
 * idle machine". One place instead of a `scaled()` in every file, and no test can forget it; the
 * default timeout is scaled in jest.config.js. Wait-for-condition deadlines use scaled()/waitFor.
 */
type Fn = ((...args: unknown[]) => unknown) & Record<string, unknown>;

/** Replaces test/it and the four hooks of `globals` by versions whose timeout argument is multiplied by `factor`. */
export function scaleTimeouts(globals: Record<string, unknown>, factor: number): void {
  const scale = (t: unknown) => (typeof t === 'number' ? Math.round(t * factor) : t);
  // (…, fn, timeout) → the same call with the timeout scaled.
  const lastScaled = (f: Fn): Fn => ((...args: unknown[]) => f(...args.map((a, i) => (i === args.length - 1 && i > 0 ? scale(a) : a)))) as Fn;
  // test / it and their .only, .skip, .failing, .concurrent …; `.each(table)` returns a scaled test.
  const wrapTest = (original: Fn): Fn => {
    const wrapped = lastScaled(original);
    for (const [key, member] of Object.entries(original)) {
      if (typeof member !== 'function') continue;
      if (key === 'each') wrapped.each = (...table: unknown[]) => lastScaled((member as Fn)(...table) as Fn);
      else if (['only', 'skip', 'failing', 'concurrent'].includes(key)) wrapped[key] = wrapTest(member as Fn);
      else wrapped[key] = member;
    }
    return wrapped;
  };
  for (const hook of ['beforeAll', 'afterAll', 'beforeEach', 'afterEach'])
    if (typeof globals[hook] === 'function') globals[hook] = lastScaled(globals[hook] as Fn);
  for (const t of ['test', 'it']) if (typeof globals[t] === 'function') globals[t] = wrapTest(globals[t] as Fn);
}

if (typeof (globalThis as Record<string, unknown>).expect === 'function') scaleTimeouts(globalThis as unknown as Record<string, unknown>, TIME_FACTOR);
