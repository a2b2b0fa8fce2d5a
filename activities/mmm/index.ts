import type { ActivityDeps } from '../../lib/deps';
import { generateAdSpend, type GenerateAdSpendInput, type GenerateAdSpendResult } from './ad-spend';
import { collectRobynResults, recordMmmRun, type CollectInput, type MmmResult, type MmmRunRecord } from './collect-results';
import { prepareMmmDataset, type PrepareDatasetInput, type PreparedDataset } from './prepare-dataset';
import { runRobynJob, type RobynJobOptions, type RunRobynJobInput, type RunRobynJobResult } from './run-robyn-job';

/**
 * The RobynMmm activities. `opts` exists for tests and special deployments: the local
 * launcher's runner command (default: the real Robyn runner) and the poll interval.
 */
export function createMmmActivities(deps: ActivityDeps, opts: RobynJobOptions = {}) {
  return {
    /** Demo paid-media spend for the weeks with gold traffic, into mmm.ad_spend. */
    async generateAdSpend(input: GenerateAdSpendInput): Promise<GenerateAdSpendResult> {
      return generateAdSpend(deps, input);
    },
    /** Builds + validates the weekly dataset; snapshots input.csv and config.json to the run folder. */
    async prepareMmmDataset(input: PrepareDatasetInput): Promise<PreparedDataset> {
      return prepareMmmDataset(deps, input);
    },
    /** Launches (or re-attaches to) the runner and follows it to the end, heartbeating progress. */
    async runRobynJob(input: RunRobynJobInput): Promise<RunRobynJobResult> {
      return runRobynJob(deps, input, opts);
    },
    /** model_summary.json → mmm.runs + mmm.channel_results. */
    async collectRobynResults(input: CollectInput): Promise<MmmResult> {
      return collectRobynResults(deps, input);
    },
    /** Records a failed, cancelled or timed-out run in mmm.runs. */
    async recordMmmRun(input: MmmRunRecord): Promise<void> {
      return recordMmmRun(deps, input);
    },
  };
}

export type MmmActivities = ReturnType<typeof createMmmActivities>;
