// Test-only workflow index until workflows/index.ts re-exports the persona workflows.
export { PersonaLabeling } from '../../../workflows/persona-labeling';
export { RetrainPersonas } from '../../../workflows/retrain-personas';
export { PersonaModelImport } from '../../../workflows/persona-model-import';
