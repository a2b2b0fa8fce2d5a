import { createHash } from 'node:crypto';
import { contentBytes, describeContent, expected, negativeOrders, type ContentSpec, type Expected, type Source } from './data';

/**
 * The model a history is checked against: what is in the landing area now, and what each date's
 * *current delivery* was when it last ran. It is deliberately simple — a map of keys to the
 * content they hold — and knows the delivery rule of the README:
 *
 * - the delivery of date D is the set of data objects under `landing/D/` at listing time, each at
 *   its latest bytes (objects whose names the store cannot address are ignored and reported);
 * - when the listing of D holds no data object at all while D still has a delivery, that
 *   delivery is kept (archived or deleted by a lifecycle rule), until it is retracted explicitly.
 *
 * Other helpers extend it with sources (add a `Source` and its rows in data.ts) and with state
 * that is not landing objects (late orders, FX rates, cleaning decisions).
 */
export interface LandedObject {
  key: string;
  spec: ContentSpec;
  bytes: Buffer;
  /** A name the object store refuses (control characters): listed, reported, never loaded. */
  unaddressable?: boolean;
}

export interface RunRecord {
  date: string;
  workflowId: string;
  /** Server times (ms) of the run's start and close, to tell which runs overlapped. */
  startedAt: number;
  closedAt: number;
  status: string;
  summary: string;
  /** The run published despite unreadable objects (NightlyPipeline `acceptPartial`). */
  acceptPartial?: boolean;
}

/**
 * A cleaning plan a person accepted for a date (issue #14.5): in force until another accepted plan
 * of the date replaces it. The model keeps what was accepted — the operations and the rows they
 * took out then — so the rebuild can decide as the person did (rebuild.ts).
 */
export interface CleaningDecision {
  operations: { op: string; check?: string }[];
  /** The order ids negative_revenue flagged in the delivery it was accepted on. */
  rows: string[];
}

export class LandingModel {
  /** What is in the landing area now, by key. */
  readonly objects = new Map<string, LandedObject>();
  /** Every content a key has held, oldest first (restores pick from here). */
  readonly versions = new Map<string, LandedObject[]>();
  /** Date → its delivery as of its last run (after the archive guard). */
  readonly delivered = new Map<string, Map<string, LandedObject>>();
  readonly runs: RunRecord[] = [];
  /** Date → the cleaning plan accepted last for it (see CleaningDecision). */
  readonly decisions = new Map<string, CleaningDecision>();
  /**
   * Date → the unreadable objects a run with acceptPartial published it without, by key and bytes
   * (ops.partial_acceptances): later runs of the date honour them while the bytes are the same.
   */
  readonly partialAccepted = new Map<string, Set<string>>();

  constructor(readonly dates: readonly string[]) {}

  put(key: string, spec: ContentSpec, opts: { unaddressable?: boolean; bytes?: Buffer } = {}): LandedObject {
    const obj: LandedObject = { key, spec, bytes: opts.bytes ?? contentBytes(spec, key), ...(opts.unaddressable ? { unaddressable: true } : {}) };
    this.objects.set(key, obj);
    const history = this.versions.get(key) ?? [];
    history.push(obj);
    this.versions.set(key, history);
    return obj;
  }

  remove(key: string): void {
    this.objects.delete(key);
  }

  /** Data objects of a date now (the listing a run would see), unaddressable ones excluded. */
  listing(date: string): LandedObject[] {
    return [...this.objects.values()].filter((o) => o.key.startsWith(`landing/${date}/`) && !o.unaddressable).sort(byKey);
  }

  /** Every object under the date's folder, including the ones a correct pipeline only reports. */
  everything(date: string): LandedObject[] {
    return [...this.objects.values()].filter((o) => o.key.startsWith(`landing/${date}/`)).sort(byKey);
  }

  /** The delivery a run of `date` starting now must load (the archive guard applied, unless the run withdraws what it kept). */
  deliveryFor(date: string, retract = false): Map<string, LandedObject> {
    const now = this.listing(date);
    const before = this.delivered.get(date);
    if (!retract && now.length === 0 && before && before.size > 0) return before;
    return new Map(now.map((o) => [o.key, o]));
  }

  /** Records that `date` ran now: its delivery becomes the one the warehouse must hold. */
  ran(date: string, record: RunRecord, retract = false): void {
    this.delivered.set(date, this.deliveryFor(date, retract));
    this.runs.push(record);
    // Its silver checks recorded the acceptance (they ran: the run published or was blocked).
    if (record.acceptPartial && (record.status === 'succeeded' || record.status === 'blocked')) {
      const accepted = this.partialAccepted.get(date) ?? new Set<string>();
      for (const key of this.failedObjects(date)) accepted.add(acceptanceOf(this.delivered.get(date)!.get(key)!));
      this.partialAccepted.set(date, accepted);
    }
  }

  /** The unreadable object of the date's delivery was accepted before, with the bytes it holds now. */
  isAcceptedFailure(date: string, key: string): boolean {
    const obj = this.delivered.get(date)?.get(key);
    return !!obj && !!this.partialAccepted.get(date)?.has(acceptanceOf(obj));
  }

  /** Every unreadable object of the date's delivery is accepted at its bytes (a from-scratch run must accept partial data). */
  partialInForce(date: string): boolean {
    const failed = this.failedObjects(date);
    return failed.length > 0 && failed.every((key) => this.isAcceptedFailure(date, key));
  }

  /** The order ids negative_revenue flags in the date's current delivery (sorted). */
  flaggedRows(date: string): string[] {
    return [...new Set([...(this.delivered.get(date)?.values() ?? [])].flatMap((o) => negativeOrders(o.spec)))].sort();
  }

  /** A person accepted a plan of these operations for the date, on its current delivery. */
  accepted(date: string, operations: CleaningDecision['operations']): void {
    this.decisions.set(date, { operations, rows: this.flaggedRows(date) });
  }

  lastRun(date: string): RunRecord | undefined {
    return this.runs.filter((r) => r.date === date).at(-1);
  }

  runDates(): string[] {
    return [...this.delivered.keys()].sort();
  }

  /** Bronze rows each delivered object must have, by date and key (failed objects: 0, and they block). */
  expectedBronze(): Map<string, Map<string, Expected & { source: Source; description: string }>> {
    const out = new Map<string, Map<string, Expected & { source: Source; description: string }>>();
    for (const [date, delivery] of this.delivered)
      out.set(date, new Map([...delivery].map(([key, o]) => [key, { ...expected(o.spec), source: o.spec.source, description: describeContent(o.spec) }])));
    return out;
  }

  /** Objects of the date's delivery a correct pipeline cannot read (truncated, corrupt). */
  failedObjects(date: string): string[] {
    return [...(this.delivered.get(date)?.values() ?? [])].filter((o) => expected(o.spec).failed).map((o) => o.key);
  }

  /** Keys that can be picked by a step, in a stable order (unaddressable names only by their own steps). */
  pickable(): string[] {
    return [...this.objects.values()]
      .filter((o) => !o.unaddressable)
      .map((o) => o.key)
      .sort();
  }
}

const acceptanceOf = (o: LandedObject) => `${o.key}\u0000${createHash('sha256').update(o.bytes).digest('hex')}`;

const byKey = (a: LandedObject, b: LandedObject) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);
