/** Names the UI, the CLI, the docs and the code agree on (see DESIGN.md "Names"). */
export const TASK_QUEUE = 'marketing-dag';

export const WORKFLOW_TYPES = ['NightlyPipeline', 'Backfill', 'CleaningReview', 'Attribution', 'PersonaLabeling', 'RetrainPersonas', 'RobynMmm'] as const;

/** Deterministic ids: one nightly run per partition date at a time (see README "Concurrency"). */
export const nightlyWorkflowId = (date: string) => `nightly-${date}`;
