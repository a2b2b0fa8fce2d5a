import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { CHANNELS, COUNTRIES, DEVICES, PAGES, SITE, SKUS, type ChannelSpec } from './catalog';
import { LineWriter, csvField } from './csv-writer';
import { Rng } from './random';
import { ANOMALY_KINDS, AnomalyPlan, type AnomalyKind } from './anomalies';
import { FX_HEADER, currencyOf, fxRows, ratesFor } from './fx';
import { lateArrivalsFrom, lateArrivalsInto } from './late-arrivals';

export interface GenerateOptions {
  date: string;
  /** Target number of clickstream events (the other sources scale with it). */
  rows: number;
  seed: number;
  anomalies: boolean;
  /** Share of rows that get each anomaly kind when anomalies are on (at least one each). */
  anomalyRate?: number;
  /**
   * Late arrivals (generator/late-arrivals.ts): visits that cross midnight into the next day's
   * file and purchases whose order lands in the next day's file. Off by default: with it on, a
   * day's files refer to the day before's visits.
   */
  lateArrivals?: boolean;
}

export interface GeneratedFile {
  source: string;
  file: string;
  rows: number;
}

export interface GenerateManifest {
  date: string;
  seed: number;
  files: GeneratedFile[];
  /** Exactly how many rows got each anomaly; tests compare quarantine and checks against it. */
  anomalies: Record<AnomalyKind, number>;
  /** With lateArrivals: what this day's files carry over from the day before, and hand to the next. */
  lateArrivals?: { continuedVisits: number; lateOrders: number; crossingVisits: number; purchasesOrderedLater: number };
}

const EVENTS_HEADER = 'event_id,client_id,event_type,event_ts,page_url,referrer,utm_source,utm_medium,utm_campaign,device,event_data';

/**
 * Writes one day of a DTC brand's raw data into `dir`: events.csv, orders.ndjson,
 * order_items.csv (converted to Parquet by the caller), customers.csv.gz, fx_rates.csv. Same
 * options → same bytes. Clients are drawn from a pool shared by all dates of a seed, so multi-day
 * journeys exist. Customers in GB and the US pay in GBP and USD (prices converted at the day's
 * rate); every event is dated on its own day (a visit reaching midnight stops there, unless the
 * lateArrivals scenario carries it into the next day's file).
 */
export async function generateDay(dir: string, opts: GenerateOptions): Promise<GenerateManifest> {
  fs.mkdirSync(dir, { recursive: true });
  const rng = new Rng(`${opts.seed}:${opts.date}`);
  const plan = new AnomalyPlan(rng, opts.rows, opts.anomalies ? (opts.anomalyRate ?? 0.002) : 0);
  const dayStart = Date.parse(`${opts.date}T00:00:00Z`);
  const dayEnd = dayStart + 86_400_000;
  const clientPool = Math.max(50, Math.floor(opts.rows / 12));
  const rates: Record<string, number> = { EUR: 1, ...ratesFor(opts.date, opts.seed) };

  const events = new LineWriter(fs.createWriteStream(path.join(dir, 'events.csv')));
  const orders = new LineWriter(fs.createWriteStream(path.join(dir, 'orders.ndjson')));
  const items = new LineWriter(fs.createWriteStream(path.join(dir, 'order_items.csv')));
  const gz = zlib.createGzip({ level: 6 });
  gz.pipe(fs.createWriteStream(path.join(dir, 'customers.csv.gz')));
  const customers = new LineWriter(gz);
  const fx = new LineWriter(fs.createWriteStream(path.join(dir, 'fx_rates.csv')));
  await fx.write(FX_HEADER);
  for (const row of fxRows(opts.date, opts.seed)) await fx.write(row);
  await events.write(EVENTS_HEADER);
  await items.write('order_id,line_no,sku,quantity,unit_price');
  await customers.write('customer_id,client_id,email,country,created_at,updated_at');

  let eventSeq = 0;
  let orderSeq = 0;
  const tag = opts.date.replace(/-/g, '');
  /** Prices are in EUR; a customer in GB or the US pays in GBP or USD at the day's rate. */
  const ratesOn = (date: string): Record<string, number> => (date === opts.date ? rates : { EUR: 1, ...ratesFor(date, opts.seed) });
  const localLines = (clientN: number, lines: [string, number, number][], rateDate = opts.date) => {
    const currency = currencyOf(COUNTRIES[clientN % COUNTRIES.length]);
    const rate = ratesOn(rateDate)[currency];
    return { currency, lines: lines.map(([sku, q, p]) => [sku, q, Math.round(p * rate * 100) / 100] as [string, number, number]) };
  };
  const writeOrder = async (clientN: number, at: number, orderId: string, eurLines: [string, number, number][], rateDate?: string) => {
    const { currency, lines } = localLines(clientN, eurLines, rateDate);
    const revenue = Math.round(lines.reduce((s, [, q, p]) => s + q * p, 0) * 100) / 100;
    let revenueJson: string = revenue.toFixed(2);
    if (plan.take('negative_revenue')) revenueJson = (-revenue).toFixed(2);
    else if (plan.take('revenue_wrong_type')) revenueJson = JSON.stringify(revenue.toFixed(2).replace('.', ','));
    const shopTime = new Date(at + 3600_000).toISOString().replace('Z', '+01:00'); // shop system runs on CET
    await orders.write(
      `{"order_id":"${orderId}","client_id":"cl_${clientN}","customer_id":"cu_${clientN}","ordered_at":"${shopTime}","currency":"${currency}","revenue":${revenueJson},"status":"completed"}`,
    );
    for (let i = 0; i < lines.length; i++) await items.write(`${orderId},${i + 1},${lines[i][0]},${lines[i][1]},${lines[i][2].toFixed(2)}`);
    const created = new Date(dayStart - (clientN % 365) * 86400_000).toISOString();
    await customers.write(
      `cu_${clientN},cl_${clientN},user${clientN}@example.com,${COUNTRIES[clientN % COUNTRIES.length]},${created},${new Date(at).toISOString()}`,
    );
    return { revenue, currency };
  };
  const purchaseData = (orderId: string, clientN: number, eurLines: [string, number, number][], rateDate?: string) => {
    const { currency, lines } = localLines(clientN, eurLines, rateDate);
    const revenue = Math.round(lines.reduce((s, [, q, p]) => s + q * p, 0) * 100) / 100;
    return JSON.stringify({ order_id: orderId, revenue, currency, items: lines.map(([sku, quantity, price]) => ({ sku, quantity, price })) });
  };

  while (eventSeq < opts.rows) {
    const clientN = rng.int(1, clientPool);
    const spec = rng.weighted(CHANNELS.map((c) => [c, c.weight] as const));
    const device = rng.weighted(DEVICES);
    let t = dayStart + Math.floor(rng.next() * 86_000_000);
    const pageViews = 1 + Math.floor(-Math.log(1 - rng.next()) * 2.5);
    // A visit that reaches midnight stops there: every event of the file is dated on its day.
    const emit = async (type: string, page: string, data: string | null, first: boolean) => {
      if (t >= dayEnd) return false;
      const row = eventRow(`ev_${tag}_${++eventSeq}`, `cl_${clientN}`, type, new Date(t).toISOString(), SITE + page, first ? spec : undefined, device, data);
      const clean = row.join(',');
      const line = plan.applyToEvent(row, type);
      await events.write(line);
      // Only clean rows are duplicated, so each anomaly is counted exactly once.
      if (line === clean && plan.take('duplicate_event')) await events.write(clean);
      t += rng.int(5, 240) * 1000;
      return true;
    };
    let open = true;
    for (let i = 0; i < pageViews && open; i++) open = await emit('page_view', rng.pick(PAGES), null, i === 0);
    if (!open || !rng.chance(0.3)) continue;
    const lines: [string, number, number][] = Array.from({ length: rng.int(1, 3) }, () => {
      const [sku, price] = rng.pick(SKUS);
      return [sku, rng.int(1, 2), price];
    });
    if (!(await emit('add_to_cart', '/cart', JSON.stringify({ sku: lines[0][0], quantity: lines[0][1] }), false))) continue;
    if (!rng.chance(0.5)) continue;
    if (!(await emit('checkout', '/checkout', null, false))) continue;
    if (!rng.chance(0.6) || t >= dayEnd) continue;
    const orderId = `o_${tag}_${++orderSeq}`;
    const at = t;
    await emit('purchase', '/checkout/thank-you', purchaseData(orderId, clientN, lines), false);
    await writeOrder(clientN, at, orderId, lines);
  }
  // Orphans: orders whose client never visited the site that day (e.g. a phone order keyed to a web client).
  for (let i = plan.remaining('orphan_order'); i > 0; i--) {
    plan.take('orphan_order');
    await writeOrder(clientPool + 1000 + i, dayStart + 43_200_000 + i * 1000, `o_${tag}_${++orderSeq}`, [[SKUS[0][0], 1, SKUS[0][1]]]);
  }
  let late: GenerateManifest['lateArrivals'];
  if (opts.lateArrivals) {
    const out = { events, writeOrder, purchaseData, eventRow };
    late = {
      ...(await lateArrivalsFrom(opts, clientPool).write(out)),
      ...(await lateArrivalsInto(opts, clientPool).write(out)),
    } as GenerateManifest['lateArrivals'];
  }
  await Promise.all([events.end(), orders.end(), items.end(), customers.end(), fx.end()]);
  return {
    date: opts.date,
    seed: opts.seed,
    files: [
      { source: 'events', file: 'events.csv', rows: events.lines - 1 },
      { source: 'orders', file: 'orders.ndjson', rows: orders.lines },
      { source: 'order_items', file: 'order_items.csv', rows: items.lines - 1 },
      { source: 'customers', file: 'customers.csv.gz', rows: customers.lines - 1 },
      { source: 'fx_rates', file: 'fx_rates.csv', rows: fx.lines - 1 },
    ],
    anomalies: Object.fromEntries(ANOMALY_KINDS.map((k) => [k, plan.applied[k]])) as Record<AnomalyKind, number>,
    ...(late ? { lateArrivals: late } : {}),
  };
}

export function eventRow(
  id: string,
  client: string,
  type: string,
  ts: string,
  url: string,
  landing: ChannelSpec | undefined,
  device: string,
  data: string | null,
): string[] {
  return [
    id,
    client,
    type,
    ts,
    csvField(url),
    csvField(landing?.referrer ?? null),
    csvField(landing?.utm?.source ?? null),
    csvField(landing?.utm?.medium ?? null),
    csvField(landing?.utm?.campaign ?? null),
    device,
    csvField(data),
  ];
}
