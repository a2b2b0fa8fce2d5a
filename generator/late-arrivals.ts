import { CHANNELS, SITE, SKUS, type ChannelSpec } from './catalog';
import type { LineWriter } from './csv-writer';
import { Rng } from './random';

/**
 * The late-arrival scenario of the demo data (GenerateOptions.lateArrivals), derived only from the
 * seed and the date so each day can be generated on its own and two neighbouring days agree:
 *   - crossing visits: a visit lands between 23:40 and 23:48 and buys after midnight; its events
 *     before midnight are in the day's file, the rest and the order in the next day's files;
 *   - purchases ordered later: a purchase between 23:30 and 23:58 whose order record lands in the
 *     next day's orders file (ordered_at stays on the day).
 */
export interface LateArrivalWriters {
  events: LineWriter;
  writeOrder(clientN: number, at: number, orderId: string, eurLines: [string, number, number][], rateDate?: string): Promise<unknown>;
  purchaseData(orderId: string, clientN: number, eurLines: [string, number, number][], rateDate?: string): string;
  eventRow(id: string, client: string, type: string, ts: string, url: string, landing: ChannelSpec | undefined, device: string, data: string | null): string[];
}

export interface LateArrivalScenario {
  write(out: LateArrivalWriters): Promise<Record<string, number>>;
}

interface Hit {
  at: number;
  type: string;
  page: string;
  landing: boolean;
}

interface PlannedVisit {
  clientN: number;
  channel: ChannelSpec;
  hits: Hit[];
  orderId: string;
  lines: [string, number, number][];
  orderedAt: number;
}

const MIN = 60_000;
const tagOf = (date: string) => date.replace(/-/g, '');
const prevDay = (date: string) => new Date(Date.parse(`${date}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10);

function plan(date: string, seed: number, rows: number, pool: number): { crossing: PlannedVisit[]; orderedLater: PlannedVisit[] } {
  const rng = new Rng(`late:${seed}:${date}`);
  const midnight = Date.parse(`${date}T00:00:00Z`) + 86_400_000;
  const basket = (): [string, number, number][] =>
    Array.from({ length: rng.int(1, 2) }, () => {
      const [sku, price] = rng.pick(SKUS);
      return [sku, rng.int(1, 2), price];
    });
  const visit = (kind: 'x' | 'l', i: number, start: number, checkoutAt: number): PlannedVisit => {
    const clientN = rng.int(1, pool);
    const channel = rng.weighted(CHANNELS.map((c) => [c, c.weight] as const));
    const hits: Hit[] = [
      { at: start, type: 'page_view', page: '/', landing: true },
      { at: start + rng.int(2, 4) * MIN, type: 'page_view', page: '/collections/new', landing: false },
      { at: start + rng.int(5, 7) * MIN, type: 'add_to_cart', page: '/cart', landing: false },
      { at: checkoutAt, type: 'checkout', page: '/checkout', landing: false },
      { at: checkoutAt + rng.int(1, 3) * MIN, type: 'purchase', page: '/checkout/thank-you', landing: false },
    ];
    return { clientN, channel, hits, orderId: `o_${tagOf(date)}_${kind}${i}`, lines: basket(), orderedAt: hits[4].at };
  };
  const crossing = Array.from({ length: Math.max(1, Math.round(rows / 2000)) }, (_, i) =>
    visit('x', i, midnight - rng.int(12, 20) * MIN, midnight + rng.int(1, 6) * MIN),
  );
  const orderedLater = Array.from({ length: Math.max(1, Math.round(rows / 3000)) }, (_, i) => {
    const start = midnight - rng.int(22, 30) * MIN;
    return visit('l', i, start, start + rng.int(10, 14) * MIN);
  });
  return { crossing, orderedLater };
}

async function writeHits(out: LateArrivalWriters, date: string, v: PlannedVisit, keep: (h: Hit) => boolean, data: (h: Hit) => string | null) {
  for (const [k, h] of v.hits.entries()) {
    if (!keep(h)) continue;
    const row = out.eventRow(
      `ev_${tagOf(date)}_${v.orderId.split('_').pop()}_${k}`,
      `cl_${v.clientN}`,
      h.type,
      new Date(h.at).toISOString(),
      SITE + h.page,
      h.landing ? v.channel : undefined,
      'mobile',
      data(h),
    );
    await out.events.write(row.join(','));
  }
}

/** What the day's files carry over from the day before: the rest of its crossing visits and its late orders. */
export function lateArrivalsFrom(opts: { date: string; seed: number; rows: number }, pool: number): LateArrivalScenario {
  const day = prevDay(opts.date);
  const midnight = Date.parse(`${opts.date}T00:00:00Z`);
  return {
    async write(out) {
      const { crossing, orderedLater } = plan(day, opts.seed, opts.rows, pool);
      for (const v of crossing) {
        await writeHits(
          out,
          day,
          v,
          (h) => h.at >= midnight,
          (h) => (h.type === 'purchase' ? out.purchaseData(v.orderId, v.clientN, v.lines, opts.date) : null),
        );
        await out.writeOrder(v.clientN, v.orderedAt, v.orderId, v.lines, opts.date);
      }
      for (const v of orderedLater) await out.writeOrder(v.clientN, v.orderedAt, v.orderId, v.lines, day);
      return { continuedVisits: crossing.length, lateOrders: orderedLater.length };
    },
  };
}

/** The day's own part: crossing visits up to midnight, and purchases whose orders arrive tomorrow. */
export function lateArrivalsInto(opts: { date: string; seed: number; rows: number }, pool: number): LateArrivalScenario {
  const midnight = Date.parse(`${opts.date}T00:00:00Z`) + 86_400_000;
  return {
    async write(out) {
      const { crossing, orderedLater } = plan(opts.date, opts.seed, opts.rows, pool);
      for (const v of crossing)
        await writeHits(
          out,
          opts.date,
          v,
          (h) => h.at < midnight,
          () => null,
        );
      for (const v of orderedLater)
        await writeHits(
          out,
          opts.date,
          v,
          () => true,
          (h) => (h.type === 'purchase' ? out.purchaseData(v.orderId, v.clientN, v.lines, opts.date) : null),
        );
      return { crossingVisits: crossing.length, purchasesOrderedLater: orderedLater.length };
    },
  };
}
