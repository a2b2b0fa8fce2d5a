/**
 * What a contract file imports as `marketing-dag/contracts`: the loader (contracts/loader.ts)
 * provides this module to contract files wherever they are, and tsconfig maps the name here so a
 * contract folder inside the project is type-checked too.
 */
export { z } from 'zod';
export { defineSource, jsonText, type SourceContract, type SourceDefinition, type ColumnRule } from './contract';
