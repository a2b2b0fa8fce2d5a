import type { Params } from '../../adapters/warehouse/warehouse';
import { weeklyAdSpend, type AdSpendWeek, type WeeklySessions } from '../../generator/ad-spend';
import type { ActivityDeps } from '../../lib/deps';
import { renderSqlFile } from '../../lib/sql/render';
import { nowUtc } from '../ingest/load-bronze';
import { ensureMmmTables, tableExists } from './tables';

export interface GenerateAdSpendInput {
  /** Monday of the first week and Sunday of the last. */
  from: string;
  to: string;
  country: string;
  seed: number;
}

export interface GenerateAdSpendResult {
  weeks: number;
  firstWeek: string | null;
  lastWeek: string | null;
}

const COLUMNS: (keyof AdSpendWeek)[] = [
  'week_start',
  'country',
  'paid_search_spend',
  'paid_social_spend',
  'display_spend',
  'paid_search_clicks',
  'paid_social_impressions',
  'display_impressions',
  'competitor_index',
  'is_promo_week',
  'newsletter_sends',
];
const BATCH = 50;

/**
 * Demo spend for the weeks that have published gold traffic (generator/ad-spend.ts), written
 * straight into mmm.ad_spend — not a bronze source, so the nightly contracts stay as they are.
 * Replaces the country's rows in [from, to] in one transaction: re-running never appends.
 */
export async function generateAdSpend(deps: ActivityDeps, input: GenerateAdSpendInput): Promise<GenerateAdSpendResult> {
  const wh = deps.warehouse;
  await ensureMmmTables(wh);
  const range = { from_date: input.from, to_date: input.to };
  const sessions = (await tableExists(wh, 'gold', 'channel_daily'))
    ? await wh.query<{ week_start: string; channel: string; sessions: number }>(renderSqlFile('mmm/weekly_paid_sessions.sql', wh.dialect), range)
    : [];
  const weeks = weeklyAdSpend(
    sessions.map((s): WeeklySessions => ({ weekStart: String(s.week_start).slice(0, 10), channel: s.channel, sessions: Number(s.sessions) })),
    { country: input.country, seed: input.seed },
  );
  const now = nowUtc();
  await wh.transaction(async (tx) => {
    await tx.exec(`delete from mmm.ad_spend where country = $country and week_start between cast($from_date as date) and cast($to_date as date)`, {
      ...range,
      country: input.country,
    });
    for (let i = 0; i < weeks.length; i += BATCH) {
      const params: Params = { now };
      const values = weeks.slice(i, i + BATCH).map((w, r) => {
        COLUMNS.forEach((c, k) => (params[`v${r}_${k}`] = w[c]));
        return `(cast($v${r}_0 as date), ${COLUMNS.slice(1)
          .map((_, k) => `$v${r}_${k + 1}`)
          .join(', ')}, cast($now as timestamp))`;
      });
      await tx.exec(`insert into mmm.ad_spend (${COLUMNS.join(', ')}, generated_at) values ${values.join(', ')}`, params);
    }
  });
  return { weeks: weeks.length, firstWeek: weeks[0]?.week_start ?? null, lastWeek: weeks.at(-1)?.week_start ?? null };
}
