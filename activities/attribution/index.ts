import type { ActivityDeps } from '../../lib/deps';
import { computeAttribution, type ComputeAttributionInput, type ComputeAttributionResult } from './compute-attribution';
import { writeAttributionReport, type AttributionReportInput, type AttributionReportResult } from './report';

export function createAttributionActivities(deps: ActivityDeps) {
  return {
    /** Every model for one lookback window over a date range: staged, checked, swapped into gold. */
    async computeAttribution(input: ComputeAttributionInput): Promise<ComputeAttributionResult> {
      return computeAttribution(deps, input);
    },
    /** Channel credit by model (tables + SVG charts) stored under reports/attribution/<from>_<to>/. */
    async writeAttributionReport(input: AttributionReportInput): Promise<AttributionReportResult> {
      return writeAttributionReport(deps, input);
    },
  };
}

export type AttributionActivities = ReturnType<typeof createAttributionActivities>;
