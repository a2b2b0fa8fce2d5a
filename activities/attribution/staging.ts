import { assertIdentifier } from '../../adapters/warehouse/warehouse';
import { compactDate } from '../../lib/dates';

/** Staging tables of one (range, window) run; dropped once gold holds the result. */
export function attributionStaging(from: string, to: string, windowDays: number) {
  const suffix = `${compactDate(from)}_${compactDate(to)}_w${windowDays}`;
  return {
    credits: assertIdentifier(`staging.attribution_credits__${suffix}`),
    summary: assertIdentifier(`staging.attribution_window_summary__${suffix}`),
  };
}
