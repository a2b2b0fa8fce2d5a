// Every workflow type the worker registers; this file only re-exports.
export { NightlyPipeline } from './nightly-pipeline';
export { Backfill } from './backfill';
export { PersonaLabeling } from './persona-labeling';
export { RetrainPersonas } from './retrain-personas';
export { Attribution } from './attribution';
export { CleaningReview } from './cleaning-review';
export { RobynMmm } from './robyn-mmm';
export { PersonaModelImport } from './persona-model-import';
export { PartitionOverview } from './partition-overview';
export { DecisionEvidence } from './decision-evidence';
