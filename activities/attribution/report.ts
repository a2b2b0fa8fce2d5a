import { consoleReportLink } from '../../config/config';
import type { ActivityDeps } from '../../lib/deps';
import { chartFile, renderAttributionReport, type AttributionReportData } from '../../report/attribution-report';
import { DEFAULT_SETTINGS, reportPrefix, type AttributionSettings } from './models';

export interface AttributionReportInput {
  from: string;
  to: string;
  windows: number[];
  models: string[];
  /** The run's settings (absent from runs started before they were recorded: the defaults). */
  settings?: AttributionSettings;
}

export interface AttributionReportResult {
  prefix: string;
  markdownKey: string;
  htmlKey: string;
  chartKeys: string[];
  /** Where a person opens the report: file:///… locally, gs://… on GCS. */
  uri: string;
  markdownUri: string;
  /** The report as the approvals console serves it (DAG_CONSOLE_URL, else its loopback address): what run summaries link to. */
  link?: string;
}

/** Reads the range's credit and window summary from gold and stores the report beside the run. */
export async function writeAttributionReport(deps: ActivityDeps, input: AttributionReportInput): Promise<AttributionReportResult> {
  const wh = deps.warehouse;
  const settings = input.settings ?? DEFAULT_SETTINGS;
  const range = { from_date: input.from, to_date: input.to };
  const inRange = `conversion_date between cast($from_date as date) and cast($to_date as date)`;
  const credit = await wh.query<{ window_days: number; model: string; channel: string; conversions: number; revenue: number }>(
    `select window_days, model, channel, sum(conversions_credited) as conversions, sum(revenue_credited) as revenue
     from gold.attribution
     where ${inRange} and half_life_days = $half_life_days and first_weight = $first_weight and last_weight = $last_weight
     group by window_days, model, channel`,
    { ...range, half_life_days: settings.halfLifeDays, first_weight: settings.firstWeight, last_weight: settings.lastWeight },
  );
  const summary = await wh.query<{
    window_days: number;
    channel: string;
    naive: number;
    attributed: number;
    out_of_window: number;
    naive_revenue: number;
    attributed_revenue: number;
    out_of_window_revenue: number;
  }>(
    `select window_days, channel, sum(naive_conversions) as naive, sum(attributed_conversions) as attributed, sum(out_of_window_conversions) as out_of_window,
            sum(naive_revenue) as naive_revenue, sum(attributed_revenue) as attributed_revenue, sum(out_of_window_revenue) as out_of_window_revenue
     from gold.attribution_window_summary where ${inRange} group by window_days, channel`,
    range,
  );
  const data: AttributionReportData = {
    from: input.from,
    to: input.to,
    windows: input.windows,
    models: input.models,
    currency: deps.config.lateData.reportingCurrency,
    settings,
    credit: credit
      .filter((c) => input.windows.includes(c.window_days) && input.models.includes(c.model))
      .map((c) => ({ windowDays: c.window_days, model: c.model, channel: c.channel, conversions: Number(c.conversions), revenue: Number(c.revenue) })),
    summary: summary
      .filter((s) => input.windows.includes(s.window_days))
      .map((s) => ({
        windowDays: s.window_days,
        channel: s.channel,
        naive: Number(s.naive),
        attributed: Number(s.attributed),
        outOfWindow: Number(s.out_of_window),
        naiveRevenue: Number(s.naive_revenue),
        attributedRevenue: Number(s.attributed_revenue),
        outOfWindowRevenue: Number(s.out_of_window_revenue),
      })),
  };
  const rendered = renderAttributionReport(data);
  const prefix = reportPrefix(input.from, input.to, settings);
  const markdownKey = `${prefix}report.md`;
  const htmlKey = `${prefix}report.html`;
  await deps.store.put(markdownKey, rendered.markdown);
  await deps.store.put(htmlKey, rendered.html);
  const chartKeys = input.windows.map((w) => `${prefix}${chartFile(w)}`);
  for (const w of input.windows) await deps.store.put(`${prefix}${chartFile(w)}`, rendered.charts[chartFile(w)]);
  return {
    prefix,
    markdownKey,
    htmlKey,
    chartKeys,
    uri: deps.store.uri(htmlKey),
    markdownUri: deps.store.uri(markdownKey),
    link: consoleReportLink(deps.config, htmlKey),
  };
}
