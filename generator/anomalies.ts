import type { Rng } from './random';

/**
 * The anomalies the generator can plant, with where they are caught:
 *   contract (bronze quarantine): missing_client_id, invalid_timestamp, malformed_json,
 *                                 event_type_wrong_type, revenue_wrong_type
 *   quality checks (after silver): duplicate_event, future_timestamp, negative_revenue, orphan_order
 */
export const ANOMALY_KINDS = [
  'missing_client_id',
  'invalid_timestamp',
  'malformed_json',
  'event_type_wrong_type',
  'revenue_wrong_type',
  'duplicate_event',
  'future_timestamp',
  'negative_revenue',
  'orphan_order',
] as const;
export type AnomalyKind = (typeof ANOMALY_KINDS)[number];

/** Which anomalies each source's contract quarantines (the rest reach bronze on purpose). */
export const QUARANTINED_BY_CONTRACT: Record<string, readonly AnomalyKind[]> = {
  events: ['missing_client_id', 'invalid_timestamp', 'malformed_json', 'event_type_wrong_type'],
  orders: ['revenue_wrong_type'],
  order_items: [],
  customers: [],
  fx_rates: [],
};

/**
 * Decides, deterministically, which rows get an anomaly: each kind has a quota
 * (rate × rows, at least 1 when on) spent at evenly spread opportunities.
 */
export class AnomalyPlan {
  readonly applied = Object.fromEntries(ANOMALY_KINDS.map((k) => [k, 0])) as Record<AnomalyKind, number>;
  private readonly quota: Record<AnomalyKind, number>;
  private readonly chanceOf: Record<AnomalyKind, number>;
  private tick = 0;

  constructor(
    private readonly rng: Rng,
    rows: number,
    rate: number,
  ) {
    const n = rate > 0 ? Math.max(1, Math.round(rows * rate)) : 0;
    const orders = rate > 0 ? Math.max(1, Math.round(rows * rate * 0.2)) : 0; // orders are ~5% of events
    this.quota = Object.fromEntries(ANOMALY_KINDS.map((k) => [k, /revenue|orphan/.test(k) ? orders : n])) as Record<AnomalyKind, number>;
    // Spread each quota over roughly the first half of its opportunities (page views are ~70%
    // of events, carts ~6%, orders are taken as they come).
    const share = (k: AnomalyKind) => (k === 'malformed_json' ? 0.06 : /revenue|orphan/.test(k) ? Infinity : 0.7);
    this.chanceOf = Object.fromEntries(ANOMALY_KINDS.map((k) => [k, Math.min(1, (2 * this.quota[k]) / (share(k) * rows))])) as Record<AnomalyKind, number>;
  }

  remaining(kind: AnomalyKind): number {
    return this.quota[kind] - this.applied[kind];
  }

  /** True (and counted) when this opportunity should carry `kind`. */
  take(kind: AnomalyKind): boolean {
    if (this.remaining(kind) <= 0) return false;
    if (/revenue|orphan/.test(kind) ? false : this.rng.next() >= this.chanceOf[kind]) return false;
    this.applied[kind]++;
    return true;
  }

  /** Maybe corrupts one event row (at most one anomaly per row, so counts stay exact). */
  applyToEvent(row: string[], type: string): string {
    this.tick++;
    if (type === 'page_view' && this.take('missing_client_id')) row[1] = '';
    else if (type === 'page_view' && this.take('invalid_timestamp')) row[3] = this.tick % 2 ? '2026-13-45T25:61:00Z' : 'yesterday 10am';
    else if (type === 'add_to_cart' && this.take('malformed_json')) row[10] = '"{""sku"": ""SKU-001"", ""quantity"": 1"';
    else if (type === 'page_view' && this.take('event_type_wrong_type')) row[2] = 'PAGEVIEW';
    else if (type === 'page_view' && this.take('future_timestamp')) row[3] = new Date(Date.parse(row[3]) + 400 * 86400_000).toISOString();
    return row.join(',');
  }
}
