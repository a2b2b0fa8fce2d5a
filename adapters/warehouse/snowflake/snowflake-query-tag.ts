/**
 * Snowflake's QUERY_TAG: a string (≤ 2000 chars) stored with every query in QUERY_HISTORY, so an
 * operator can find and cost what one workflow run did. We write compact JSON, which Snowflake's
 * own tooling and most cost dashboards parse: {"app":"marketing-dag","workflow":…,"partition":…}.
 */
export interface QueryTagContext {
  workflow: string;
  partition?: string;
  activity?: string;
  runId?: string;
}

const MAX_QUERY_TAG = 2000;

export function formatQueryTag(ctx: QueryTagContext): string {
  const tag = JSON.stringify({ app: 'marketing-dag', ...ctx });
  return tag.length <= MAX_QUERY_TAG ? tag : tag.slice(0, MAX_QUERY_TAG);
}
