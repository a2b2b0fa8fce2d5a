import { buildModel } from '../../activities/transform/build-model';
import { computeAttribution, type ComputeAttributionInput } from '../../activities/attribution/compute-attribution';
import { ATTRIBUTION_MODELS, DEFAULT_SETTINGS, type AttributionSettings } from '../../activities/attribution/models';
import type { SqlValue } from '../../adapters/warehouse/warehouse';
import type { ActivityDeps } from '../../lib/deps';
import { discoverModels, planWaves } from '../../lib/sql/models';
import { event, insertRows, order } from '../support/fixtures';

/** The silver models in the order the nightly builds them (waves from their SQL dependencies). */
export const SILVER_MODELS = planWaves(discoverModels('silver'))
  .flat()
  .map((m) => m.name);

/** Builds the silver models of each date (what the nightly does before attribution). */
export async function buildSilver(deps: ActivityDeps, dates: string[]): Promise<void> {
  for (const date of dates) for (const model of SILVER_MODELS) await buildModel(deps, { date, layer: 'silver', model });
}

const UTM: Record<string, Record<string, SqlValue>> = {
  paid_search: { utm_source: 'google', utm_medium: 'cpc' },
  paid_social: { utm_source: 'facebook', utm_medium: 'paid_social' },
  email: { utm_source: 'newsletter', utm_medium: 'email' },
  organic_search: { referrer: 'https://www.google.com/' },
  direct: {},
};

/** A one-hit session of `client` landing from `channel` at `ts` (UTC), in the partition of its day. */
export function visit(client: string, channel: keyof typeof UTM, ts: string): Record<string, SqlValue> {
  return event(client, ts, { ...UTM[channel], _partition_date: ts.slice(0, 10) });
}

export function purchase(id: string, client: string, ts: string, revenue: number): Record<string, SqlValue> {
  return order(id, client, ts, revenue, { _partition_date: ts.slice(0, 10) });
}

export async function land(deps: ActivityDeps, visits: Record<string, SqlValue>[], orders: Record<string, SqlValue>[]): Promise<void> {
  await insertRows(deps.warehouse, 'bronze.events', visits);
  await insertRows(deps.warehouse, 'bronze.orders', orders);
}

export const attribute = (deps: ActivityDeps, over: Partial<ComputeAttributionInput> & { from: string; to: string }) =>
  computeAttribution(deps, { windowDays: 7, models: [...ATTRIBUTION_MODELS], halfLifeDays: 7, firstWeight: 0.4, lastWeight: 0.4, ...over });

export interface Credit {
  model: string;
  channel: string;
  conversions_credited: number;
  revenue_credited: number;
}

/** gold.attribution rows of a window (and a conversion day) made with `settings`, ordered, as plain numbers. */
export async function credits(
  deps: ActivityDeps,
  windowDays: number,
  date: string | null = null,
  settings: AttributionSettings = DEFAULT_SETTINGS,
): Promise<Credit[]> {
  return deps.warehouse.query<Credit & Record<string, unknown>>(
    `select model, channel, conversions_credited, revenue_credited from gold.attribution
     where window_days = $w and ($d is null or conversion_date = cast($d as date))
       and half_life_days = $hl and first_weight = $fw and last_weight = $lw
     order by model, channel`,
    { w: windowDays, d: date, hl: settings.halfLifeDays, fw: settings.firstWeight, lw: settings.lastWeight },
  );
}
