import type { ActivityDeps } from '../../lib/deps';
import { activityContext } from '../../lib/heartbeat';
import { judgePlan, proposePlan, type BackendSettings } from '../../cleaning/backends';
import type { CleaningProfile, DryRunResult, Verdict } from '../../cleaning/types';
import type { CleaningPlan } from '../../cleaning/vocabulary';
import type { DecisionRecord } from '../../workflows/shared/approval';
import { approvalPolicy } from '../../lib/approvals/policy';
import type { ApprovalPolicy } from '../../lib/approvals/rules';
import { applyCleaningPlan } from './apply';
import { decisionAuditEntry, recordCleaningAudit, type AuditEntry } from './audit';
import { compileContext, ensureCleaningTables } from './compile-context';
import { dryRunCleaningPlan, type DryRunInput } from './dry-run';
import { profileFailingChecks, type ProfileInput } from './profile';
import { previousDecision, reapplyCleaningPlans, type ReplayResult } from './replay';
import { silverTables } from './tables';

/** The CleaningReview workflow's activities: profile → plan → dry run → judge → (approval) → apply, all audited. */
export function createCleaningActivities(deps: ActivityDeps) {
  const backend: BackendSettings = { planner: deps.config.planner, apiKey: deps.config.secrets.openaiApiKey };
  const workflowId = () => activityContext()?.info.workflowExecution?.workflowId ?? 'manual';
  const runId = () => activityContext()?.info.workflowExecution?.runId ?? null;
  return {
    /** Counts and masked samples of the rows each failing check flags: all a model may see. */
    async profileFailingChecks(input: ProfileInput): Promise<CleaningProfile> {
      await ensureCleaningTables(deps);
      return profileFailingChecks(deps, input);
    },
    /** Plan version N from the configured planner (rules, or a model with a rule fallback). */
    async proposeCleaningPlan(input: { profile: CleaningProfile; version: number; feedback?: string }): Promise<CleaningPlan> {
      const ctx = await compileContext(deps, deps.warehouse, silverTables(), { date: input.profile.date, workflowId: workflowId(), version: input.version });
      const plan = await proposePlan(backend, input.profile, input.version, ctx, input.feedback);
      const previous = await previousDecision(deps, input.profile.date);
      return previous ? { ...plan, previousDecision: previous } : plan;
    },
    async dryRunCleaningPlan(input: DryRunInput): Promise<DryRunResult> {
      return dryRunCleaningPlan(deps, input);
    },
    async judgeCleaningPlan(input: { plan: CleaningPlan; profile: CleaningProfile; dryRun: DryRunResult }): Promise<Verdict> {
      return judgePlan(backend, input.plan, input.profile, input.dryRun);
    },
    /** Applies an accepted plan and records it with the partition (re-applied on every rebuild). */
    async applyCleaningPlan(input: { date: string; plan: CleaningPlan; workflowId: string; acceptedBy?: string; reason?: string }) {
      return applyCleaningPlan(deps, { ...input, runId: runId() });
    },
    /** After the partition's silver was rebuilt: its accepted plans again, with the same effect, or not at all. */
    async reapplyCleaningPlans(input: { date: string }): Promise<ReplayResult> {
      return reapplyCleaningPlans(deps, { date: input.date, workflowId: workflowId(), runId: runId() });
    },
    async recordCleaningAudit(input: { workflowId: string; date: string; entries: AuditEntry[] }): Promise<number> {
      return recordCleaningAudit(deps, { ...input, runId: runId() });
    },
    /** Every decision record (applied or ignored, with why) as audit rows. */
    async recordCleaningDecisions(input: { workflowId: string; date: string; records: DecisionRecord[] }): Promise<number> {
      const entries: AuditEntry[] = input.records.map(decisionAuditEntry);
      return recordCleaningAudit(deps, { ...input, runId: runId(), entries });
    },
    /** Approvers with their public keys, four-eyes and the development setting — from configuration only. */
    async getCleaningApprovalPolicy(): Promise<ApprovalPolicy> {
      return approvalPolicy(deps.config);
    },
  };
}

export type CleaningActivities = ReturnType<typeof createCleaningActivities>;
