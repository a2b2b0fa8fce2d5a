// The task queue's name is configuration (DAG_TASK_QUEUE, config/config.ts) and the workflow types
// are the exports of workflows/index.ts; only ids that several places must agree on live here.

/** Deterministic ids: one nightly run per partition date at a time (see README "Concurrency"). */
export const nightlyWorkflowId = (date: string) => `nightly-${date}`;
