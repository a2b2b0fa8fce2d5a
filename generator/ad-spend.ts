import { Rng } from './random';

/**
 * Weekly paid-media spend of the demo brand, derived from the traffic the demo generator
 * produced: a paid channel's spend is its sessions that week times a cost per session, with
 * week-to-week noise from bidding (±25 %), so spend and paid sessions move together as they do
 * in a real account. Context and organic variables come with it: a competitor sales index
 * (seasonal), the shop's promo weeks, and newsletter sends (following e-mail sessions).
 * Same sessions, country and seed → same numbers.
 */
export interface PaidChannel {
  channel: string;
  spendColumn: string;
  exposureColumn: string;
  costPerSession: number;
  /** Exposures (clicks, impressions) bought per session that reached the site. */
  exposurePerSession: number;
}

export const PAID_CHANNELS: readonly PaidChannel[] = [
  { channel: 'paid_search', spendColumn: 'paid_search_spend', exposureColumn: 'paid_search_clicks', costPerSession: 0.85, exposurePerSession: 1.1 },
  { channel: 'paid_social', spendColumn: 'paid_social_spend', exposureColumn: 'paid_social_impressions', costPerSession: 0.6, exposurePerSession: 55 },
  { channel: 'display', spendColumn: 'display_spend', exposureColumn: 'display_impressions', costPerSession: 1.4, exposurePerSession: 400 },
];

const SENDS_PER_EMAIL_SESSION = 25;

export interface WeeklySessions {
  /** Monday of the week, YYYY-MM-DD. */
  weekStart: string;
  channel: string;
  sessions: number;
}

export interface AdSpendWeek {
  week_start: string;
  country: string;
  paid_search_spend: number;
  paid_social_spend: number;
  display_spend: number;
  paid_search_clicks: number;
  paid_social_impressions: number;
  display_impressions: number;
  competitor_index: number;
  is_promo_week: number;
  newsletter_sends: number;
}

/** One row per week present in `sessions`, in week order. */
export function weeklyAdSpend(sessions: readonly WeeklySessions[], opts: { country: string; seed: number }): AdSpendWeek[] {
  const byWeek = new Map<string, Map<string, number>>();
  for (const s of sessions) {
    const week = byWeek.get(s.weekStart) ?? new Map<string, number>();
    week.set(s.channel, (week.get(s.channel) ?? 0) + s.sessions);
    byWeek.set(s.weekStart, week);
  }
  return [...byWeek.keys()].sort().map((weekStart) => {
    const traffic = byWeek.get(weekStart)!;
    const rng = new Rng(`ad-spend:${opts.seed}:${opts.country}:${weekStart}`);
    const row: Record<string, number | string> = { week_start: weekStart, country: opts.country };
    for (const ch of PAID_CHANNELS) {
      const paidSessions = traffic.get(ch.channel) ?? 0;
      const bidNoise = 1 + 0.25 * (2 * rng.next() - 1);
      row[ch.spendColumn] = round2(paidSessions * ch.costPerSession * bidNoise);
      row[ch.exposureColumn] = Math.max(0, Math.round(paidSessions * ch.exposurePerSession * (1 + 0.1 * rng.normal())));
    }
    const week = isoWeekOfYear(weekStart);
    row.competitor_index = round2(100 + 12 * Math.sin((2 * Math.PI * week) / 52) + 3 * rng.normal());
    row.is_promo_week = isPromoWeek(weekStart) ? 1 : 0;
    row.newsletter_sends = Math.max(0, Math.round((traffic.get('email') ?? 0) * SENDS_PER_EMAIL_SESSION * (1 + 0.05 * rng.normal())));
    return row as unknown as AdSpendWeek;
  });
}

/** Black-Friday week (its Thursday is Nov 22–28) and the first week of January's sale. */
export function isPromoWeek(weekStart: string): boolean {
  const thursday = new Date(`${weekStart}T00:00:00Z`);
  thursday.setUTCDate(thursday.getUTCDate() + 3);
  const m = thursday.getUTCMonth() + 1;
  const d = thursday.getUTCDate();
  return (m === 11 && d >= 22 && d <= 28) || (m === 1 && d <= 7);
}

function isoWeekOfYear(date: string): number {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + 3 - ((d.getUTCDay() + 6) % 7)); // the week's Thursday
  const jan4 = new Date(Date.UTC(d.getUTCFullYear(), 0, 4));
  return 1 + Math.round(((d.getTime() - jan4.getTime()) / 86400_000 - 3 + ((jan4.getUTCDay() + 6) % 7)) / 7);
}

const round2 = (x: number) => Math.round(x * 100) / 100;
