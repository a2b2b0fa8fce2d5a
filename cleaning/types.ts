import type { CheckResult } from '../activities/quality/checks';
import type { SampleValue } from './masking';
import type { CleanableTable, CleaningPlan } from './vocabulary';

/** What is known about one failing check; `rows` are masked and bounded (cleaning/masking.ts). */
export interface CheckProfile {
  check: string;
  observed: number | null;
  threshold: number;
  /** The check's own sample (offending keys), as recorded in ops.dq_results. */
  sample: string | null;
  /** Set when sql/cleaning/flags/ knows which rows the check flags. */
  table?: CleanableTable;
  flaggedRows?: number;
  tableRows?: number;
  rows?: Record<string, SampleValue>[];
}

/** Everything a planner (rule or model) may see. */
export interface CleaningProfile {
  date: string;
  stage: 'silver' | 'gold';
  failedChecks: string[];
  checks: CheckProfile[];
  /** Real columns of the cleanable tables: name → type. */
  columns: Record<CleanableTable, Record<string, string>>;
}

export interface DryRunResult {
  planVersion: number;
  rowsBefore: Record<CleanableTable, number>;
  rowsAfter: Record<CleanableTable, number>;
  checksBefore: CheckResult[];
  checksAfter: CheckResult[];
  /** Blocking checks failing after the plan (on the staging copy). */
  stillFailing: string[];
  /** Checks that passed before and fail after. */
  newlyFailing: string[];
  /** Operations the compiler refused, with the reason; none of them ran. */
  refused: { index: number; reason: string }[];
  rebuilt: string[];
}

export interface Verdict {
  verdict: 'approve' | 'reject';
  reasons: string[];
  judge: 'rules' | 'openai';
  fallbackReason?: string;
}

/** What an approver reads (query `cleaningPlan`). */
export interface CleaningSubject {
  date: string;
  round: number;
  failedChecks: string[];
  plan: CleaningPlan;
  operations: string[];
  dryRun: DryRunResult;
  verdict: Verdict;
}
