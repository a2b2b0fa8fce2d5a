import { scaleTimeouts } from '../support/scale-timeouts';
import { TIME_FACTOR, scaled } from '../support/time';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { timeFactor } = require('../support/time-factor.js') as { timeFactor: (env?: Record<string, string | undefined>) => number };

/** The time factor that makes the suite pass on a busy machine: where it comes from and what it scales. */
test('DAG_TEST_TIME_FACTOR wins; otherwise the load per core, between 1 and 10', () => {
  expect(timeFactor({ DAG_TEST_TIME_FACTOR: '3' })).toBe(3);
  expect(timeFactor({ DAG_TEST_TIME_FACTOR: '0.5' })).toBe(0.5);
  for (const env of [{}, { DAG_TEST_TIME_FACTOR: 'abc' }, { DAG_TEST_TIME_FACTOR: '-2' }]) {
    const f = timeFactor(env);
    expect(f).toBeGreaterThanOrEqual(1);
    expect(f).toBeLessThanOrEqual(10);
  }
  // jest.config.js handed this run's factor to the workers.
  expect(TIME_FACTOR).toBe(Number(process.env.DAG_TEST_TIME_FACTOR));
  expect(scaled(1000)).toBe(Math.round(1000 * TIME_FACTOR));
});

test('explicit hook and test timeouts are multiplied by the factor; calls without one are left alone', () => {
  const calls: unknown[][] = [];
  const record =
    (name: string) =>
    (...args: unknown[]) =>
      void calls.push([name, ...args.map((a) => (typeof a === 'function' ? 'fn' : a))]);
  const test = Object.assign(record('test'), {
    each: (table: unknown) => record(`test.each(${JSON.stringify(table)})`),
    concurrent: Object.assign(record('concurrent'), { each: (table: unknown) => record(`concurrent.each(${JSON.stringify(table)})`) }),
    todo: record('todo'),
  });
  const g: Record<string, unknown> = { test, it: test, beforeAll: record('beforeAll'), afterEach: record('afterEach') };
  scaleTimeouts(g, 4);
  const t = g.test as typeof test;
  t('a', () => undefined, 1000);
  t('b', () => undefined);
  t.each([1])('c %s', () => undefined, 250);
  t.concurrent('d', () => undefined, 100);
  t.concurrent.each([2])('e %s', () => undefined, 10);
  t.todo('f');
  (g.beforeAll as (f: () => void, n?: number) => void)(() => undefined, 60_000);
  (g.afterEach as (f: () => void) => void)(() => undefined);
  expect(calls).toEqual([
    ['test', 'a', 'fn', 4000],
    ['test', 'b', 'fn'],
    ['test.each([1])', 'c %s', 'fn', 1000],
    ['concurrent', 'd', 'fn', 400],
    ['concurrent.each([2])', 'e %s', 'fn', 40],
    ['todo', 'f'],
    ['beforeAll', 'fn', 240_000],
    ['afterEach', 'fn'],
  ]);
});
