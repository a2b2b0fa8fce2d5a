import { ApplicationFailure, patched, proxyActivities, setCurrentDetails, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import type { Duration } from '@temporalio/common/lib/time';
import { z } from 'zod';
import type { Activities } from '../activities';
import type { CleaningActivities } from '../activities/cleaning';
import type { ChecksOutcome } from '../activities/quality/run-checks';
import type { CleaningSubject } from '../cleaning/types';
import { describeOperation } from '../cleaning/vocabulary';
import { isoDate } from '../lib/dates';
import { LLM_CALL, LONG_SQL, SHORT } from './shared/activity-options';
import { approvalDefinitions, approverOf, createApproval, type DecisionRecord } from './shared/approval';
import { detailsMarkdown } from './shared/details';
import { parseInput } from './shared/input';
import { summarised } from './shared/summarised';
import { recordingEnd, type RunRecorder } from './shared/run-end';
import { buildLayer, checkStage, describeChecks } from './shared/layers';
import { CleaningStatus, PartitionDate } from './shared/search-attributes';

const sql = proxyActivities<CleaningActivities>(LONG_SQL);
const llm = proxyActivities<CleaningActivities>(LLM_CALL);
const short = proxyActivities<CleaningActivities>(SHORT);
const profileFailingChecks = summarised(
  sql.profileFailingChecks,
  LONG_SQL,
  (i) => `profile the failing checks of ${i.date}: ${i.failing.map((f) => f.check).join(', ')}`,
);
const dryRunCleaningPlan = summarised(sql.dryRunCleaningPlan, LONG_SQL, (i) => `dry-run plan v${i.plan.version} on a copy of ${i.date}'s silver`);
const applyCleaningPlan = summarised(sql.applyCleaningPlan, LONG_SQL, (i) => `apply accepted plan v${i.plan.version} to ${i.date}'s silver`);
const proposeCleaningPlan = summarised(llm.proposeCleaningPlan, LLM_CALL, (i) => `propose cleaning plan v${i.version}${i.feedback ? ' (revision)' : ''}`);
const judgeCleaningPlan = summarised(llm.judgeCleaningPlan, LLM_CALL, (i) => `judge plan v${i.plan.version} against its dry run`);
const recordCleaningAudit = summarised(short.recordCleaningAudit, SHORT, (i) => `audit ${i.entries.map((e) => e.kind).join(', ')}`);
const recordCleaningDecisions = summarised(
  short.recordCleaningDecisions,
  SHORT,
  (i) => `audit ${i.records.length} decision${i.records.length === 1 ? '' : 's'}`,
);
const getCleaningApprovalPolicy = summarised(
  short.getCleaningApprovalPolicy,
  SHORT,
  () => 'read who may approve and the timeout from the worker configuration',
);
const { publishGold, discardStagedGold: discard } = proxyActivities<Activities>(SHORT);
const discardStagedGold = summarised(discard, SHORT, (i) => `discard ${i.date}'s staged gold`);

/** Signal/update `cleaningDecision` {decision, approver, reason?, planVersion, signedAt, keyId, signature}; query `cleaningPlan`. */
export const CLEANING_APPROVAL = { decision: 'cleaningDecision', query: 'cleaningPlan' } as const;
export const cleaningApproval = approvalDefinitions<CleaningSubject>(CLEANING_APPROVAL);

export const cleaningReviewInput = z
  .object({
    date: isoDate,
    /** Who asked (the nightly run by default). Under four-eyes they cannot decide. */
    requestedBy: z.string().trim().min(1).default('system:nightly'),
    /** No decision within this → automatic, recorded rejection. */
    approvalTimeout: z
      .union([z.number().int().positive(), z.string().regex(/^\d+\s*(ms|s|m|h|d|seconds?|minutes?|hours?|days?)$/, 'must be a duration like "24h" or "30s"')])
      .default('24h'),
    /** Review rounds (plan → accept → apply → re-check) before giving up. */
    maxRounds: z.number().int().min(1).max(5).default(2),
    /** Revisions an approver may ask for per round. */
    maxRevisions: z.number().int().min(0).max(10).default(3),
    /** Refused: who may approve comes only from the worker's configuration (read here only to replay older runs). */
    approvers: z.array(z.string().trim().min(1)).optional(),
  })
  .strict();
export type CleaningReviewInput = z.input<typeof cleaningReviewInput>;

export interface CleaningReviewResult {
  date: string;
  outcome: 'published' | 'rejected' | 'timed_out' | 'still_failing' | 'not_cleanable';
  reason: string;
  rounds: number;
  planVersion: number | null;
  decision?: DecisionRecord;
  failedChecks: string[];
  published: string[];
}

/** Cleans a blocked partition only with a person's approval, then publishes gold if the checks pass. */
export async function CleaningReview(rawInput: CleaningReviewInput): Promise<CleaningReviewResult> {
  return recordingEnd('CleaningReview', cleaningReview, rawInput, {
    // Anything but a publication leaves the partition blocked.
    ended: (r) => ({ status: r.outcome === 'published' ? 'succeeded' : 'blocked', summary: `${r.outcome}: ${r.reason}` }),
  });
}

async function cleaningReview(rawInput: CleaningReviewInput, run: RunRecorder): Promise<CleaningReviewResult> {
  const input = parseInput(cleaningReviewInput, rawInput, 'CleaningReview');
  const { date } = input;
  const { workflowId, parent } = workflowInfo();
  // patched: runs started before these rules replay as they ran.
  if (input.approvers !== undefined && patched('refuse-approvers-input'))
    throw ApplicationFailure.nonRetryable(
      "CleaningReview input: approvers: who may approve comes only from the worker's configuration (DAG_APPROVERS), never from workflow input: remove it",
      'InvalidInput',
    );
  if (!parent && patched('review-only-under-nightly'))
    throw ApplicationFailure.nonRetryable(
      `CleaningReview runs as the child of NightlyPipeline, which records the partition's outcome and runs attribution after a publish: start NightlyPipeline {"date":"${date}"} (dag run nightly --date ${date}); it opens cleaning-${date} when a check blocks`,
      'InvalidInput',
    );
  await run.begin(date);
  upsertSearchAttributes([{ key: PartitionDate, value: date }]);
  const policy = await getCleaningApprovalPolicy();
  const approval = createApproval<CleaningSubject>({
    subjectKind: 'cleaning-plan',
    policy,
    legacyApprovers: input.approvers,
    requester: input.requestedBy,
    legacyStatusKey: CleaningStatus,
    keepLegacyStatus: true,
    audit: async (records) => void (await recordCleaningDecisions({ workflowId, date, records })),
  });
  const audit = (entries: Parameters<typeof recordCleaningAudit>[0]['entries']) => recordCleaningAudit({ workflowId, date, entries });
  let version = 0;
  let accepted: DecisionRecord | undefined;
  const end = async (r: Omit<CleaningReviewResult, 'date' | 'planVersion'>): Promise<CleaningReviewResult> => {
    if (r.outcome !== 'published') await discardStagedGold({ date });
    await audit([{ planVersion: version, kind: 'outcome', actor: 'system:cleaning-review', detail: `${r.outcome}: ${r.reason}` }]);
    await approval.flush();
    setCurrentDetails(detailsMarkdown(`partition ${date}: ${r.outcome}`, [r.reason]));
    return { date, planVersion: version || null, ...r };
  };

  for (let round = 1; round <= input.maxRounds; round++) {
    const checks = await currentChecks(date);
    if (checks.passed) {
      const published = await publishGold.executeWithOptions({ ...SHORT, summary: `publish gold for ${date} (atomic swap)` }, [{ date }]);
      return end({
        outcome: 'published',
        reason: round === 1 ? 'checks already pass' : `plan v${version} accepted by ${approverOf(accepted)}; checks pass after ${round - 1} cleaning round(s)`,
        rounds: round - 1,
        decision: accepted,
        failedChecks: [],
        published: published.published,
      });
    }
    setCurrentDetails(detailsMarkdown(`partition ${date}, round ${round}`, describeChecks(checks).split('; ')));
    const profile = await profileFailingChecks({ date, stage: checks.stage, failing: checks.results.filter((r) => r.status === 'fail') });
    let feedback: string | undefined;
    let decision: DecisionRecord;
    for (let revision = 0; ; revision++) {
      version++;
      const plan = await proposeCleaningPlan({ profile, version, feedback });
      const dryRun = await dryRunCleaningPlan({ date, plan, workflowId });
      const verdict = await judgeCleaningPlan({ plan, profile, dryRun });
      const operations = plan.operations.map(describeOperation);
      await audit([
        {
          planVersion: version,
          kind: 'plan',
          actor: `planner:${plan.planner}`,
          detail: `${plan.summary}${plan.fallbackReason ? ` [${plan.fallbackReason}]` : ''}`,
          payload: plan,
        },
        {
          planVersion: version,
          kind: 'dry_run',
          actor: 'system:dry-run',
          detail: `still failing: ${dryRun.stillFailing.join(', ') || 'none'}; refused: ${dryRun.refused.length}`,
          payload: dryRun,
        },
        {
          planVersion: version,
          kind: 'verdict',
          actor: `judge:${verdict.judge}`,
          detail: `${verdict.verdict}: ${verdict.reasons.join('; ')}`,
          payload: verdict,
        },
      ]);
      if (plan.operations.length === 0 && plan.planner === 'rules' && !plan.fallbackReason && patched('empty-rule-plan-ends-review')) {
        // The rule planner only takes out rows a check flags; with nothing flaggable no revision
        // can change its plan, so nobody is asked to approve an empty one. (patched: reviews
        // already waiting on an empty plan replay as before.)
        upsertSearchAttributes([{ key: CleaningStatus, value: 'NotCleanable' }]);
        return end({
          outcome: 'not_cleanable',
          reason: `no cleaning operation addresses ${checks.failed.join(', ')}: fix the source data and run ${date} again`,
          rounds: round,
          failedChecks: checks.failed,
          published: [],
        });
      }
      approval.request(
        { date, round, failedChecks: checks.failed, plan, operations, dryRun, verdict },
        version,
        detailsMarkdown(`partition ${date}: plan v${version} awaiting approval`, [
          `failing: ${checks.failed.join(', ')}`,
          `${operations.length} operations, judge: ${verdict.verdict}`,
          `decide in the console or with dag approvals (round ${round})`,
        ]),
      );
      decision = await approval.waitForDecision(input.approvalTimeout as Duration);
      if (decision.decision !== 'revise' || revision >= input.maxRevisions) break;
      feedback = decision.reason ?? 'revise';
    }
    if (decision.decision !== 'accept') {
      const outcome = decision.via === 'timeout' ? 'timed_out' : 'rejected';
      return end({
        outcome,
        reason: `plan v${version} ${decision.decision === 'revise' ? 'not accepted after the last allowed revision' : 'rejected'} by ${approverOf(decision)}${decision.reason ? `: ${decision.reason}` : ''}`,
        rounds: round,
        decision,
        failedChecks: checks.failed,
        published: [],
      });
    }
    accepted = decision;
    await applyCleaningPlan({
      date,
      plan: (approval.state().subject as CleaningSubject).plan,
      workflowId,
      acceptedBy: decision.approver,
      reason: decision.reason,
    });
    if (round === input.maxRounds) {
      const after = await currentChecks(date);
      if (!after.passed)
        return end({
          outcome: 'still_failing',
          reason: `still failing after ${round} round(s): ${after.failed.join(', ')}`,
          rounds: round,
          decision,
          failedChecks: after.failed,
          published: [],
        });
      const published = await publishGold({ date });
      return end({
        outcome: 'published',
        reason: `plan v${version} accepted by ${approverOf(decision)}; checks pass`,
        rounds: round,
        decision,
        failedChecks: [],
        published: published.published,
      });
    }
  }
  throw new Error('unreachable: the loop returns on its last round');
}

/** Silver checks; when they pass, gold is built into staging and its checks decide. */
async function currentChecks(date: string): Promise<ChecksOutcome> {
  const silver = await checkStage('silver', date);
  if (!silver.passed) return silver;
  await buildLayer('gold', date);
  return checkStage('gold', date);
}
