import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import type * as Esbuild from 'esbuild';
import type * as Yaml from 'yaml';
import * as zodModule from 'zod';
import * as contract from './contract';
import { ContractError, type SourceContract } from './contract';
import * as KIT from './kit';
import { odcsToSources } from './odcs';

/**
 * Reads one contract file into source contracts:
 *   `*.contract.ts` / `*.contract.js` — a module whose default export is `defineSource({...})`;
 *   `*.odcs.yaml` / `*.odcs.yml`     — an Open Data Contract Standard v3 document (contracts/odcs.ts).
 *
 * The shipped contracts are modules of this project. A user's TypeScript contract may live
 * anywhere (DAG_CONTRACTS_DIR need not be inside this project), so it is compiled here (esbuild,
 * the compiler tsx already uses) and run with a `require` that
 * provides `zod` and `marketing-dag/contracts` (defineSource, jsonText, z) from this installation
 * — the same instances the pipeline uses, whatever node_modules the folder has or lacks. Relative
 * imports between contract files work the same way; other packages resolve from the file's folder.
 * Any problem is one line naming the file.
 */
export const CONTRACT_FILE = /\.contract\.(ts|js)$|\.odcs\.ya?ml$/;
const REPO = path.resolve(__dirname, '..');

/** `shipped`: a contract of this project (contracts/*.contract.ts), loaded like any module of it. */
export function loadContractFile(file: string, shipped = false): SourceContract[] {
  try {
    const sources = /\.ya?ml$/.test(file) ? loadOdcs(file) : [loadModule(file, shipped)];
    return sources.map((s) => ({ ...s, origin: file }));
  } catch (err) {
    const msg = (err as Error).message.split('\n')[0];
    throw new ContractError(err instanceof ContractError ? `${msg} (${file})` : `cannot load contract file ${file}: ${msg}`);
  }
}

function loadOdcs(file: string): SourceContract[] {
  let doc: unknown;
  try {
    doc = lazy<typeof Yaml>('yaml').parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    throw new ContractError(`not valid YAML: ${(err as Error).message.split('\n')[0]}`);
  }
  return odcsToSources(doc).sources;
}

function loadModule(file: string, shipped: boolean): SourceContract {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- a module path known only at run time
  const exported = shipped ? (require(file) as unknown) : runModule(file, new Map());
  const value = (exported as { default?: unknown }).default ?? exported;
  const def = value as Partial<SourceContract> | undefined;
  if (!def || typeof def !== 'object' || !('schema' in def)) throw new ContractError('the default export must be defineSource({...})');
  // A plain definition (defineSource forgotten) is checked the same way.
  return Array.isArray(def.columns) ? (def as SourceContract) : contract.defineSource(def as contract.SourceDefinition);
}

function runModule(file: string, cache: Map<string, unknown>): unknown {
  if (cache.has(file)) return cache.get(file);
  const source = fs.readFileSync(file, 'utf8');
  const code = file.endsWith('.ts')
    ? lazy<typeof Esbuild>('esbuild').transformSync(source, { loader: 'ts', format: 'cjs', target: 'node20', sourcefile: file }).code
    : source;
  const module = { exports: {} as unknown };
  cache.set(file, module.exports);
  const fromFile = createRequire(file);
  const requireFor = (spec: string): unknown => {
    if (spec === 'zod') return zodModule;
    if (spec === 'marketing-dag/contracts') return KIT;
    if (spec.startsWith('.')) {
      const resolved = resolveLocal(path.resolve(path.dirname(file), spec));
      // This project's own modules (a contract in contracts/ importing ./contract) load as usual.
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- a module path known only at run time
      if (resolved.startsWith(REPO + path.sep) && !resolved.includes(`${path.sep}node_modules${path.sep}`)) return require(resolved) as unknown;
      return runModule(resolved, cache);
    }
    return fromFile(spec);
  };
  // A function of this realm (not vm.runInThisContext): under jest, values the contract creates
  // must belong to the same realm as the zod instance that checks them.
  const wrapper = new Function('exports', 'require', 'module', '__filename', '__dirname', `${code}\n//# sourceURL=${file}`) as (...args: unknown[]) => void;
  wrapper(module.exports, requireFor, module, file, path.dirname(file));
  cache.set(file, module.exports);
  return module.exports;
}

/** The compiler and the YAML parser load only when a contract needs them (not for the shipped ones). */
function lazy<T>(name: 'esbuild' | 'yaml'): T {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(name) as T;
}

function resolveLocal(base: string): string {
  for (const candidate of [base, `${base}.ts`, `${base}.js`, path.join(base, 'index.ts'), path.join(base, 'index.js')]) {
    if (fs.existsSync(candidate) && fs.statSync(candidate).isFile()) return candidate;
  }
  throw new Error(`cannot find ${base}`);
}
