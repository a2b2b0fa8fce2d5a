import * as fs from 'node:fs';
import * as path from 'node:path';
import picomatch from 'picomatch';
import { ContractError, fileFormat, type SourceContract } from './contract';
import { CONTRACT_FILE, loadContractFile } from './loader';

/**
 * The sources a worker knows: every contract file found at start, without a central list —
 *   1. the shipped contracts, `contracts/*.contract.ts` (events, orders, order_items, customers);
 *   2. the user's folder `DAG_CONTRACTS_DIR`: `*.contract.ts` / `*.contract.js` modules and
 *      `*.odcs.yaml` / `*.odcs.yml` documents. A contract there with the name of a shipped one
 *      replaces it (how a deployment changes a shipped source's settings without editing it).
 * Contracts are read once, when the worker starts (lib/open-deps.ts installs the set): adding or
 * changing a contract means restarting the worker. Every problem fails the start with one line.
 *
 * Files in `landing/<date>/` belong to the source whose `files` patterns match their name;
 * a name that matches none (or several) is reported, never loaded.
 */
export const BUILTIN_DIR = __dirname;

export type FileMatch = { source: SourceContract } | { source?: undefined; reason: string };

export interface ContractSet {
  readonly sources: readonly SourceContract[];
  /** The folders read, in order (shipped first). */
  readonly dirs: readonly string[];
  byName(name: string): SourceContract;
  matchFile(fileName: string): FileMatch;
}

export function loadContracts(opts: { dir?: string } = {}): ContractSet {
  const dirs = [BUILTIN_DIR, ...(opts.dir ? [path.resolve(opts.dir)] : [])];
  const byName = new Map<string, SourceContract>();
  for (const [i, dir] of dirs.entries()) {
    if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) throw new ContractError(`DAG_CONTRACTS_DIR ${dir} is not a folder`);
    const here = new Map<string, SourceContract>();
    for (const file of fs
      .readdirSync(dir)
      .filter((f) => CONTRACT_FILE.test(f) && !f.startsWith('.'))
      .sort()) {
      for (const s of loadContractFile(path.join(dir, file), i === 0)) {
        const twin = here.get(s.name);
        if (twin) throw new ContractError(`contract ${s.name} is defined twice: ${twin.origin} and ${s.origin}`);
        here.set(s.name, s);
        if (i > 0 || !byName.has(s.name)) byName.set(s.name, s);
      }
    }
  }
  return contractSet([...byName.values()], dirs);
}

/** A set from contracts in hand (tests, `dag contracts check` of one contract). */
export function contractSet(sources: readonly SourceContract[], dirs: readonly string[] = []): ContractSet {
  const matchers = sources.map((s) => ({ source: s, match: picomatch(s.files as string[], { dot: false }) }));
  return {
    sources,
    dirs,
    byName(name) {
      const s = sources.find((x) => x.name === name);
      if (!s) throw new UnknownSourceError(`unknown source ${JSON.stringify(name)}; known: ${sources.map((x) => x.name).join(', ')}`);
      return s;
    },
    matchFile(fileName) {
      const hits = matchers.filter((m) => m.match(fileName)).map((m) => m.source);
      if (hits.length === 0) return { reason: 'matches no source' };
      if (hits.length > 1) return { reason: `matches more than one source (${hits.map((h) => h.name).join(', ')})` };
      try {
        fileFormat(fileName, hits[0].format);
      } catch {
        return { reason: `matches ${hits[0].name} but its type is unknown (name it .csv, .ndjson, .jsonl or .parquet, or set the contract's format)` };
      }
      return { source: hits[0] };
    },
  };
}

export class UnknownSourceError extends Error {
  override name = 'UnknownSourceError';
}

let active: ContractSet | undefined;

/** Installs the set this process works with (the worker at start; see lib/open-deps.ts). */
export function useContracts(set: ContractSet): ContractSet {
  active = set;
  return set;
}

/** The installed set; before anything is installed, the shipped contracts. */
export function activeContracts(): ContractSet {
  return (active ??= loadContracts());
}

export const allSources = (): readonly SourceContract[] => activeContracts().sources;
/**
 * The installed sources as an array (reads through to the installed set at every access), for
 * callers written before contracts were discovered at start; new code calls allSources().
 */
export const SOURCES: readonly SourceContract[] = new Proxy([] as SourceContract[], {
  get: (_target, key) => {
    const sources = activeContracts().sources;
    const value = Reflect.get(sources, key, sources) as unknown;
    return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(sources) : value;
  },
  has: (_target, key) => Reflect.has(activeContracts().sources, key),
  ownKeys: () => Reflect.ownKeys(activeContracts().sources),
  getOwnPropertyDescriptor: (_target, key) => Reflect.getOwnPropertyDescriptor(activeContracts().sources, key),
});
export const sourceByName = (name: string): SourceContract => activeContracts().byName(name);
/** The source a landing file (its name without folder) belongs to, or undefined (see matchFile for why). */
export const sourceForFile = (fileName: string): SourceContract | undefined => activeContracts().matchFile(fileName).source;
