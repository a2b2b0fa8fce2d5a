import fc from 'fast-check';
import { negativeOrderId, type ContentSpec, type Shape, type Source } from './data';
import type { LandingModel } from './model';

/**
 * One step of a history, as generated and shrunk by fast-check. Steps name dates by index and
 * objects by `pick` (an index into the model's current keys, modulo their number), so any
 * subsequence of a history — which is what shrinking tries — is still a valid history. A step
 * that has nothing to act on (restore with no earlier bytes, delete in an empty area) is a no-op.
 *
 * To add a step: a variant here, its generator in `stepArbitrary`, its resolution in `resolve`
 * (what it does to the model and which `Action` the system performs), and, when it is a new
 * kind of action, its execution in system.ts.
 */
export type Format = 'csv' | 'csv.gz' | 'ndjson';

export type Step =
  /** A day's usual delivery: events.csv, orders.ndjson and fx_rates.csv (`anomaly`: the orders carry a refund booked as a sale). */
  | { kind: 'deliver'; day: number; variant: number; events: number; orders: number; anomaly?: boolean }
  /** A delivery: a new object, or new bytes under an existing name (same day, source, suffix, format). */
  | { kind: 'land'; day: number; source: Source; suffix: number; format: Format; variant: number; rows: number; shape: Shape }
  /** New bytes for an existing object. */
  | { kind: 'replace'; pick: number; variant: number; rows: number }
  /** An object gets earlier bytes back (A → B → A), or a deleted object is restored. */
  | { kind: 'restore'; pick: number; back: number }
  /** Renamed within its day: a re-named correction must never double the day. */
  | { kind: 'rename'; pick: number; to: number }
  | { kind: 'delete'; pick: number }
  /** Every object of a day disappears (archived, or deleted by a lifecycle rule). */
  | { kind: 'deleteDay'; day: number }
  /** The same bytes uploaded again (a new generation). */
  | { kind: 'reupload'; pick: number }
  /** An object whose name has a newline, or is 251 characters long. */
  | { kind: 'badName'; day: number; name: 'newline' | 'long'; variant: number }
  /**
   * NightlyPipeline for a day WITH review: when a check blocks, cleaning-<date> proposes a plan and
   * a person (bob, signed) accepts it if it only quarantines what negative_revenue flags, else
   * rejects it (test/history/cleaning.ts). Later runs must re-apply an accepted plan, or block.
   */
  | { kind: 'cleanAccept'; day: number }
  /** NightlyPipeline for a day; `acceptPartial` publishes even with an unreadable object. */
  | { kind: 'run'; day: number; acceptPartial?: boolean }
  | { kind: 'backfill'; from: number; to: number }
  /** `dag landing retract <day>`: withdraw what an emptied folder kept, and run the day. */
  | { kind: 'retract'; day: number }
  /** The worker process is SIGKILLed right after a bronze load committed (see system.ts). */
  | { kind: 'kill'; day: number; then: 'retry' | 'rerun' };

/** What the system under test does for a resolved step. */
export type Action =
  | { kind: 'put'; key: string; unaddressable?: boolean; renamedFrom?: string }
  | { kind: 'delete'; keys: string[] }
  | { kind: 'run'; date: string; acceptPartial?: boolean; retract?: boolean; review?: boolean }
  | { kind: 'backfill'; from: string; to: string }
  | { kind: 'kill'; date: string; then: 'retry' | 'rerun' };

export interface StepWeights {
  /** Relative weight of kill steps (0 = none: most histories run an in-process worker only). */
  kill: number;
  /** Retry kills wait for Temporal's heartbeat timeout (1 min): leave them to soak runs unless asked. */
  killRetry: boolean;
  /** Relative weight of cleanAccept steps and of anomalous deliveries (0 = none; see test/history/cleaning.ts). */
  cleaning?: number;
}

export function stepArbitrary(days: number, weights: StepWeights): fc.Arbitrary<Step> {
  const day = fc.nat({ max: days - 1 });
  const pick = fc.nat({ max: 20 });
  const variant = fc.nat({ max: 5 });
  const land = fc.record({
    kind: fc.constant('land' as const),
    day,
    source: fc.constantFrom<Source>('events', 'events', 'orders', 'fx_rates'),
    suffix: fc.nat({ max: 2 }),
    format: fc.constantFrom<Format>('csv', 'csv', 'ndjson', 'csv.gz'),
    variant,
    rows: fc.integer({ min: 4, max: 24 }),
    shape: fc.constantFrom<Shape>('rows', 'rows', 'rows', 'rows', 'rows', 'rows', 'empty', 'header_only', 'truncated_gzip', 'extra_column'),
  });
  const arbs: fc.WeightedArbitrary<Step>[] = [
    { weight: 4, arbitrary: deliver(day) },
    { weight: 22, arbitrary: land },
    { weight: 10, arbitrary: fc.record({ kind: fc.constant('replace' as const), pick, variant, rows: fc.integer({ min: 4, max: 24 }) }) },
    { weight: 7, arbitrary: fc.record({ kind: fc.constant('restore' as const), pick, back: fc.nat({ max: 3 }) }) },
    { weight: 6, arbitrary: fc.record({ kind: fc.constant('rename' as const), pick, to: fc.nat({ max: 3 }) }) },
    { weight: 6, arbitrary: fc.record({ kind: fc.constant('delete' as const), pick }) },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant('deleteDay' as const), day }) },
    { weight: 4, arbitrary: fc.record({ kind: fc.constant('reupload' as const), pick }) },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant('badName' as const), day, name: fc.constantFrom<'newline' | 'long'>('newline', 'long'), variant }) },
    { weight: 14, arbitrary: fc.record({ kind: fc.constant('run' as const), day }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('run' as const), day, acceptPartial: fc.constant(true) }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('retract' as const), day }) },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant('backfill' as const), from: day, to: day }) },
  ];
  if (weights.cleaning) {
    arbs.push({ weight: weights.cleaning, arbitrary: deliver(day, true) });
    arbs.push({ weight: weights.cleaning, arbitrary: fc.record({ kind: fc.constant('cleanAccept' as const), day }) });
  }
  if (weights.kill > 0)
    arbs.push({
      weight: weights.kill,
      arbitrary: fc.record({
        kind: fc.constant('kill' as const),
        day,
        then: weights.killRetry ? fc.constantFrom<'retry' | 'rerun'>('retry', 'rerun') : fc.constant('rerun' as const),
      }),
    });
  return fc.oneof(...arbs);
}

const deliver = (day: fc.Arbitrary<number>, anomaly = false) =>
  fc.record({
    kind: fc.constant('deliver' as const),
    day,
    variant: fc.nat({ max: 5 }),
    events: fc.integer({ min: 4, max: 24 }),
    orders: fc.integer({ min: 1, max: 5 }),
    ...(anomaly ? { anomaly: fc.constant(true) } : {}),
  });

/**
 * A history: most days first get their usual delivery (each of those steps can still be shrunk
 * away), then `minSteps`…`maxSteps` random steps.
 */
export function historyArbitrary(opts: { days: number; minSteps: number; maxSteps: number } & StepWeights): fc.Arbitrary<Step[]> {
  // With cleaning steps, a third of the usual deliveries are anomalous, so cleanAccept steps find plans to decide.
  const usual = (d: number) =>
    opts.cleaning ? fc.oneof(deliver(fc.constant(d)), deliver(fc.constant(d)), deliver(fc.constant(d), true)) : deliver(fc.constant(d));
  const initial = fc.tuple(...Array.from({ length: opts.days }, (_, d) => fc.option(usual(d), { nil: undefined, freq: 6 })));
  return fc.tuple(initial, fc.array(stepArbitrary(opts.days, opts), { minLength: opts.minSteps, maxLength: opts.maxSteps })).map(([first, rest]): Step[] => {
    const steps = [...first.flatMap((s) => (s ? [s] : [])), ...rest];
    // A history that never runs the pipeline checks nothing: end it with a run.
    return steps.some((s) => s.kind === 'run' || s.kind === 'backfill' || s.kind === 'kill' || s.kind === 'retract' || s.kind === 'cleanAccept')
      ? steps
      : [...steps, { kind: 'run', day: 0 }];
  });
}

const EXT: Record<Format, string> = { csv: '.csv', 'csv.gz': '.csv.gz', ndjson: '.ndjson' };

function keyOf(date: string, source: Source, suffix: string, ext: string): string {
  return `landing/${date}/${source}${suffix}${ext}`;
}

/** The extension of a key (.csv, .csv.gz, .ndjson). */
const extOf = (key: string) => /(\.csv\.gz|\.csv|\.ndjson)$/.exec(key)?.[1] ?? '.csv';

/**
 * Applies a step to the model and says what the system must do (nothing when the step has
 * nothing to act on). Shapes that only exist in some formats are mapped onto one that
 * can carry them (a header-only file is a CSV; a truncated gzip is a .csv.gz).
 */
export function resolve(step: Step, model: LandingModel): Action[] {
  const dateOf = (day: number) => model.dates[day % model.dates.length];
  const first = (date: string) => (date === model.dates[0] ? { firstDay: true } : {});
  const pickKey = (pick: number) => {
    const keys = model.pickable();
    return keys.length ? keys[pick % keys.length] : undefined;
  };
  switch (step.kind) {
    case 'deliver': {
      const date = dateOf(step.day);
      const events = keyOf(date, 'events', '', '.csv');
      const orders = keyOf(date, 'orders', '', '.ndjson');
      const fx = keyOf(date, 'fx_rates', '', '.csv');
      model.put(events, { source: 'events', date, variant: step.variant, rows: step.events, shape: 'rows', ...first(date) });
      model.put(orders, {
        source: 'orders',
        date,
        variant: step.variant,
        rows: step.orders,
        shape: 'rows',
        ...first(date),
        ...(step.anomaly ? { anomaly: 'negative_revenue' as const } : {}),
      });
      model.put(fx, { source: 'fx_rates', date, variant: step.variant, rows: 2, shape: 'rows', ...first(date) });
      return [
        { kind: 'put', key: events },
        { kind: 'put', key: orders },
        { kind: 'put', key: fx },
      ];
    }
    case 'land': {
      const date = dateOf(step.day);
      let format = step.format;
      if (step.shape === 'header_only' && format !== 'csv') format = 'csv';
      if (step.shape === 'truncated_gzip') format = 'csv.gz';
      if (step.source === 'orders' && format === 'csv.gz' && step.shape !== 'truncated_gzip') format = 'ndjson';
      const key = keyOf(date, step.source, step.suffix ? `-${step.suffix}` : '', EXT[format]);
      model.put(key, { source: step.source, date, variant: step.variant, rows: step.rows, shape: step.shape, ...first(date) });
      return [{ kind: 'put', key }];
    }
    case 'replace': {
      const key = pickKey(step.pick);
      if (!key) return [];
      const old = model.objects.get(key)!;
      const shape = old.spec.shape === 'truncated_gzip' || old.spec.shape === 'empty' || old.spec.shape === 'header_only' ? 'rows' : old.spec.shape;
      const spec: ContentSpec = { ...old.spec, variant: step.variant, rows: step.rows, shape };
      model.put(key, spec);
      return [{ kind: 'put', key }];
    }
    case 'restore': {
      const candidates = [...model.versions.keys()].filter((k) => !model.versions.get(k)![0].unaddressable).sort();
      if (!candidates.length) return [];
      const key = candidates[step.pick % candidates.length];
      const current = model.objects.get(key);
      const earlier = model.versions.get(key)!.filter((v) => !current || !v.bytes.equals(current.bytes));
      if (!earlier.length) return [];
      const v = earlier[Math.max(0, earlier.length - 1 - step.back)];
      model.put(key, v.spec, { bytes: v.bytes });
      return [{ kind: 'put', key }];
    }
    case 'rename': {
      const key = pickKey(step.pick);
      if (!key) return [];
      const old = model.objects.get(key)!;
      const to = `${key.slice(0, key.lastIndexOf('/') + 1)}${old.spec.source}-v${step.to + 2}${extOf(key)}`;
      if (to === key || model.objects.has(to)) return [];
      model.remove(key);
      model.put(to, old.spec, { bytes: old.bytes });
      return [{ kind: 'put', key: to, renamedFrom: key }];
    }
    case 'delete': {
      const key = pickKey(step.pick);
      if (!key) return [];
      model.remove(key);
      return [{ kind: 'delete', keys: [key] }];
    }
    case 'deleteDay': {
      const keys = model.everything(dateOf(step.day)).map((o) => o.key);
      if (!keys.length) return [];
      for (const k of keys) model.remove(k);
      return [{ kind: 'delete', keys }];
    }
    case 'reupload': {
      const key = pickKey(step.pick);
      if (!key) return [];
      const old = model.objects.get(key)!;
      model.put(key, old.spec, { bytes: old.bytes });
      return [{ kind: 'put', key }];
    }
    case 'badName': {
      const date = dateOf(step.day);
      const prefix = `landing/${date}/`;
      // 251 characters: a legal object name whose `_processed/<name>.json` marker is not a legal file name.
      const name = step.name === 'newline' ? 'events-new\nline.csv' : `events-${'x'.repeat(251 - 'events-'.length - '.csv'.length)}.csv`;
      const spec: ContentSpec = { source: 'events', date, variant: step.variant, rows: 6, shape: 'rows', ...first(date) };
      model.put(prefix + name, spec, { unaddressable: step.name === 'newline' });
      return [{ kind: 'put', key: prefix + name, ...(step.name === 'newline' ? { unaddressable: true } : {}) }];
    }
    case 'run':
      return [{ kind: 'run', date: dateOf(step.day), ...(step.acceptPartial ? { acceptPartial: true } : {}) }];
    case 'retract':
      return [{ kind: 'run', date: dateOf(step.day), retract: true }];
    case 'cleanAccept':
      return [{ kind: 'run', date: dateOf(step.day), review: true }];
    case 'backfill': {
      const [a, b] = [dateOf(step.from), dateOf(step.to)].sort();
      return [{ kind: 'backfill', from: a, to: b }];
    }
    case 'kill':
      return [{ kind: 'kill', date: dateOf(step.day), then: step.then }];
  }
}

/** One line per action, for failure reports and regression files. */
export function describeAction(a: Action, model: LandingModel): string {
  switch (a.kind) {
    case 'put': {
      const o = model.objects.get(a.key)!;
      const what = a.renamedFrom ? `rename ${JSON.stringify(a.renamedFrom)} → ${JSON.stringify(a.key)}` : `put ${JSON.stringify(a.key)}`;
      return `${what} (${o.spec.shape === 'rows' ? '' : o.spec.shape + ', '}${o.spec.source} v${o.spec.variant}${o.spec.anomaly ? ` + ${o.spec.anomaly} ${negativeOrderId(o.spec)}` : ''}, ${o.bytes.length} bytes)`;
    }
    case 'delete':
      return `delete ${a.keys.map((k) => JSON.stringify(k)).join(', ')}`;
    case 'run':
      if (a.retract) return `dag landing retract ${a.date}`;
      if (a.review)
        return `run NightlyPipeline ${a.date} {"review": true}, accept a plan that quarantines negative_revenue's rows (bob, signed), reject others`;
      return `run NightlyPipeline ${a.date}${a.acceptPartial ? ' {"acceptPartial": true}' : ''}`;
    case 'backfill':
      return `run Backfill ${a.from}…${a.to}`;
    case 'kill':
      return `run NightlyPipeline ${a.date}, SIGKILL the worker right after a bronze load committed, then ${a.then === 'retry' ? 'let Temporal retry' : 'terminate and re-run the date'}`;
  }
}
