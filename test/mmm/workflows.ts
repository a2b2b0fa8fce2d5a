// Test-only workflow index until workflows/index.ts re-exports RobynMmm.
export { RobynMmm } from '../../workflows/robyn-mmm';
