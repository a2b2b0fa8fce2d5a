// Test-only workflow index until workflows/index.ts re-exports CleaningReview.
export { NightlyPipeline } from '../../workflows/nightly-pipeline';
export { CleaningReview } from '../../workflows/cleaning-review';
