import * as fs from 'node:fs';
import * as path from 'node:path';
import { SQL_DIR, readSqlFile } from './render';

/**
 * The SQL models of a layer, discovered from `sql/<layer>/*.sql`. Each file is one model named
 * after the file, with a small header:
 *   -- materialized: partition   (rows of one partition_date, replaced on every run)
 *   -- materialized: table       (rebuilt whole from everything up to the partition)
 * Dependencies are read from the SQL itself (`from silver.sessions`, `join {{ silver }}.x`),
 * so the run order is derived, never hand-listed.
 */
export type Layer = 'silver' | 'gold';
export type Materialization = 'partition' | 'table';

export interface Model {
  name: string;
  layer: Layer;
  file: string;
  materialized: Materialization;
  dependsOn: string[];
  description: string;
}

const REF = /\b(?:from|join)\s+(?:\{\{\s*)?(bronze|silver|gold)(?:\s*\}\})?\.([a-z_][a-z0-9_]*)/gi;

export function discoverModels(layer: Layer): Model[] {
  // The layer becomes a folder name: only the known layers (no `../`).
  if (layer !== 'silver' && layer !== 'gold') throw new Error(`unknown layer ${JSON.stringify(layer)}; known: silver, gold`);
  const dir = path.join(SQL_DIR, layer);
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.sql'))
    .sort()
    .map((f) => parseModel(layer, `${layer}/${f}`));
}

export function parseModel(layer: Layer, file: string): Model {
  const sql = readSqlFile(file);
  const name = path.basename(file, '.sql');
  const mat = /--\s*materialized:\s*(partition|table)/.exec(sql)?.[1] as Materialization | undefined;
  if (!mat) throw new Error(`sql/${file}: header "-- materialized: partition|table" is missing`);
  const description = sql
    .split('\n')
    .filter((l) => l.startsWith('--') && !/materialized:/.test(l))
    .map((l) => l.replace(/^--\s?/, ''))
    .join(' ')
    .trim();
  const deps = new Set<string>();
  for (const m of sql.matchAll(REF)) {
    const ref = `${m[1].toLowerCase()}.${m[2].toLowerCase()}`;
    if (ref !== `${layer}.${name}`) deps.add(ref);
  }
  return { name, layer, file, materialized: mat, dependsOn: [...deps].sort(), description };
}

/**
 * Groups models into waves: every model's same-layer dependencies are in earlier waves, so a
 * wave's models can run in parallel. Throws on cycles and on references to unknown models.
 */
export function planWaves(models: Model[]): Model[][] {
  const byRef = new Map(models.map((m) => [`${m.layer}.${m.name}`, m]));
  const waves: Model[][] = [];
  const done = new Set<string>();
  let pending = [...models];
  while (pending.length) {
    const ready = pending.filter((m) => m.dependsOn.every((d) => !byRef.has(d) || done.has(d)));
    if (!ready.length) throw new Error(`dependency cycle among SQL models: ${pending.map((m) => m.name).join(', ')}`);
    waves.push(ready);
    ready.forEach((m) => done.add(`${m.layer}.${m.name}`));
    pending = pending.filter((m) => !ready.includes(m));
  }
  return waves;
}
