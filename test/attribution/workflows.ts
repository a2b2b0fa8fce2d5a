// Test-only workflow index until workflows/index.ts re-exports Attribution.
export { Attribution } from '../../workflows/attribution';
