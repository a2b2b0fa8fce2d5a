import { Rng } from './random';

/**
 * Plausible daily reference rates (ECB style: 1 EUR = rate units of the quote currency, four
 * decimals): a slow swing plus day-to-day noise around a recent level, deterministic per seed and
 * date, so every day can be generated on its own.
 */
const LEVELS: Record<string, number> = { USD: 1.08, GBP: 0.86, CHF: 0.95, SEK: 11.4 };

export const FX_HEADER = 'rate_date,base_currency,quote_currency,rate';

export function ratesFor(date: string, seed: number): Record<string, number> {
  const day = Math.floor(Date.parse(`${date}T00:00:00Z`) / 86_400_000);
  const rng = new Rng(`fx:${seed}:${date}`);
  return Object.fromEntries(
    Object.entries(LEVELS).map(([currency, level], i) => {
      const swing = 0.03 * Math.sin(day / (23 + 7 * i)) + 0.01 * Math.sin(day / (5.3 + i));
      return [currency, Math.round(level * (1 + swing + 0.002 * rng.normal()) * 10_000) / 10_000];
    }),
  );
}

/**
 * The rows of one day's fx_rates.csv: the day's rates and, as many feeds do, the day before's
 * again (so orders that arrive a day late can be converted even when that day was never loaded).
 */
export function fxRows(date: string, seed: number): string[] {
  const before = new Date(Date.parse(`${date}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10);
  return [before, date].flatMap((d) => Object.entries(ratesFor(d, seed)).map(([currency, rate]) => `${d},EUR,${currency},${rate.toFixed(4)}`));
}

/** The currency a customer pays in: by country (the shop sells in EUR, GBP and USD). */
export function currencyOf(country: string): 'EUR' | 'GBP' | 'USD' {
  return country === 'GB' ? 'GBP' : country === 'US' ? 'USD' : 'EUR';
}
