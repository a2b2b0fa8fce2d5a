/**
 * Mutual exclusion for the few writes whose decision depends on what another writer may commit
 * at the same moment (the newest-only guard of whole-table gold marts; attribution ranges that
 * overlap). DuckDB gives each transaction a snapshot taken when it begins and detects only
 * *concurrent* updates of the same row, so two lanes could both begin, both read the old state,
 * and both commit. The worker is the one process that writes the DuckDB file, so queueing those
 * transactions per warehouse in the process serialises them: each begins after the previous one
 * committed, and reads it. (On Snowflake, the lock row the transaction updates first makes a
 * second one wait for the first to commit; its later statements read committed data.)
 */
const queues = new WeakMap<object, Map<string, Promise<void>>>();

/** Waits until every earlier holder of `key` on `owner` has released it; returns the release. */
export async function acquire(owner: object, key: string): Promise<() => void> {
  let byKey = queues.get(owner);
  if (!byKey) queues.set(owner, (byKey = new Map()));
  const previous = byKey.get(key) ?? Promise.resolve();
  let release!: () => void;
  byKey.set(
    key,
    previous.then(() => new Promise<void>((resolve) => (release = resolve))),
  );
  await previous;
  return () => release();
}

export async function exclusive<T>(owner: object, key: string, fn: () => Promise<T>): Promise<T> {
  const release = await acquire(owner, key);
  try {
    return await fn();
  } finally {
    release();
  }
}

/** The same warehouse, whose transactions queue on `key` (everything else passes through). */
export function serialized<W extends { transaction: (fn: never) => Promise<unknown> }>(wh: W, key: string): W {
  return new Proxy(wh, {
    get(target, prop, receiver) {
      if (prop === 'transaction') return (fn: never) => exclusive(target, key, () => target.transaction(fn));
      const value = Reflect.get(target, prop, receiver) as unknown;
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}
