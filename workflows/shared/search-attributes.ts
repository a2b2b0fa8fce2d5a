import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

/**
 * Custom search attributes, registered when the embedded dev server starts
 * (temporal/dev-server.ts); on a cluster, once per key with
 * `temporal operator search-attribute create --name <key> --type Keyword` (README, docker-compose.yml).
 * In the UI: `PartitionDate = "2026-11-01"`, `PipelineStatus = "blocked"`,
 * `ApprovalStatus = "AwaitingApproval"` (every subject: cleaning plans, persona models).
 * `CleaningStatus` is the older, cleaning-only key: cleaning reviews still set it.
 */
export const PartitionDate = defineSearchAttributeKey('PartitionDate', SearchAttributeType.KEYWORD);
export const PipelineStatus = defineSearchAttributeKey('PipelineStatus', SearchAttributeType.KEYWORD);
export const CleaningStatus = defineSearchAttributeKey('CleaningStatus', SearchAttributeType.KEYWORD);
export const ApprovalStatus = defineSearchAttributeKey('ApprovalStatus', SearchAttributeType.KEYWORD);

/** Set by the server on workflows started by a schedule: the time the run was due. */
export const ScheduledStartTime = defineSearchAttributeKey('TemporalScheduledStartTime', SearchAttributeType.DATETIME);

export const SEARCH_ATTRIBUTES = [PartitionDate, PipelineStatus, CleaningStatus, ApprovalStatus];

export type PipelineStatusValue = 'running' | 'succeeded' | 'blocked' | 'failed' | 'cancelled' | 'refused';
