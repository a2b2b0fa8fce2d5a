import * as path from 'node:path';
import { FEATURES, type ModelDraft } from './model';

/**
 * Reads a vendor persona file into a model draft, refusing anything doubtful with one clear
 * message (missing features, non-numeric or NaN values, duplicate names, < 2 personas).
 *
 * CSV: a header with `persona` and every feature x1..x10 (any order), one row per persona.
 *   An optional `kind` column marks scaling rows: `mean` and `std` (persona left empty);
 *   rows without kind, or kind `centroid`, are personas.
 * JSON: {"personas": [{"name": "…", "centroid": {"x1": 0.4, …}}], "scaling"?: {"mean": {…}, "std": {…}}}
 *   (centroid/mean/std may also be arrays in x1..x10 order).
 * Without scaling the distance is plain Euclidean in raw units (mean 0, std 1): the default
 * threshold (standardised units) then means nothing, so importing such a file needs a threshold
 * in the file's units (unitsProblem below; `dag personas import --threshold`).
 */
export class VendorFileError extends Error {
  override name = 'VendorFileError';
}

export function parseVendorFile(fileName: string, text: string): ModelDraft {
  return readVendorFile(fileName, text).draft;
}

/** The draft and whether the file brought its own scaler (mean and std). */
export function readVendorFile(fileName: string, text: string): { draft: ModelDraft; hasScaler: boolean } {
  const base = path.basename(fileName);
  const fail = (msg: string): never => {
    throw new VendorFileError(`${base}: ${msg}`);
  };
  const ext = path.extname(fileName).toLowerCase();
  const raw = ext === '.json' ? fromJson(text, fail) : ext === '.csv' ? fromCsv(text, fail) : fail('unsupported file type (use .csv or .json)');
  if (raw.personas.length < 2) fail(`needs at least 2 personas, found ${raw.personas.length}`);
  const seen = new Map<string, string>();
  for (const p of raw.personas) {
    const key = p.name.trim().toLowerCase();
    if (!key) fail(`${p.where}: persona name is empty`);
    if (seen.has(key)) fail(`duplicate persona name "${p.name.trim()}" (${seen.get(key)} and ${p.where})`);
    seen.set(key, p.where);
  }
  if ((raw.mean === undefined) !== (raw.std === undefined))
    fail(`has a ${raw.mean ? 'mean' : 'std'} row but no ${raw.mean ? 'std' : 'mean'} row: a scaler needs both`);
  const scaling = { mean: raw.mean ?? FEATURES.map(() => 0), std: raw.std ?? FEATURES.map(() => 1) };
  scaling.std.forEach((s, i) => s <= 0 && fail(`scaling std of ${FEATURES[i]} must be > 0, got ${s}`));
  return {
    draft: { features: [...FEATURES], personas: raw.personas.map((p) => ({ name: p.name.trim(), centroid: p.centroid })), scaling, source: `vendor:${base}` },
    hasScaler: raw.mean !== undefined,
  };
}

/**
 * Why a model's unassigned threshold cannot apply to its distances, or undefined when it can:
 * without a scaler, distances are in raw feature units and the default threshold (3.5, in
 * standardised units) would mark nearly everyone unassigned; such a model needs its own threshold.
 */
export function unitsProblem(fileName: string, hasScaler: boolean, threshold: number | undefined): string | undefined {
  if (hasScaler || threshold !== undefined) return undefined;
  return (
    `${path.basename(fileName)} has no scaler (no mean and std rows), so its distances are in raw feature units and the default ` +
    `unassigned threshold (3.5 standardised units) does not apply: add the vendor's mean/std rows, or import it with --threshold <distance in raw units>`
  );
}

interface RawModel {
  personas: { name: string; centroid: number[]; where: string }[];
  mean?: number[];
  std?: number[];
}
type Fail = (msg: string) => never;

function vector(where: string, get: (f: string) => unknown, fail: Fail): number[] {
  const missing = FEATURES.filter((f) => get(f) === undefined || get(f) === null || get(f) === '');
  if (missing.length) fail(`${where}: missing features ${missing.join(', ')}`);
  return FEATURES.map((f) => {
    const v = get(f);
    const n = typeof v === 'number' ? v : typeof v === 'string' && /^\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$/.test(v) ? Number(v) : NaN;
    if (!Number.isFinite(n)) fail(`${where}: ${f} is not a finite number (${JSON.stringify(v)})`);
    return n;
  });
}

function fromCsv(text: string, fail: Fail): RawModel {
  const lines = text
    .replace(/^\uFEFF/, '')
    .split(/\r?\n/)
    .map((l, i) => ({ cells: splitCsv(l), no: i + 1, blank: !l.trim() }))
    .filter((l) => !l.blank);
  if (!lines.length) fail('the file is empty');
  const header = lines[0].cells.map((h) => h.trim().toLowerCase());
  const missing = ['persona', ...FEATURES].filter((f) => !header.includes(f));
  if (missing.length) fail(`header is missing ${missing.join(', ')} (expected persona,${FEATURES.join(',')}[,kind])`);
  const out: RawModel = { personas: [] };
  for (const l of lines.slice(1)) {
    if (l.cells.length !== header.length) fail(`line ${l.no}: ${l.cells.length} fields, header has ${header.length}`);
    const get = (col: string) => l.cells[header.indexOf(col)]?.trim();
    const kind = (header.includes('kind') ? get('kind') : '') || 'centroid';
    const values = vector(`line ${l.no}`, get, fail);
    if (kind === 'centroid') out.personas.push({ name: get('persona') ?? '', centroid: values, where: `line ${l.no}` });
    else if (kind === 'mean' || kind === 'std') {
      if (out[kind]) fail(`line ${l.no}: a second "${kind}" row`);
      out[kind] = values;
    } else fail(`line ${l.no}: kind must be centroid, mean or std, got "${kind}"`);
  }
  return out;
}

function fromJson(text: string, fail: Fail): RawModel {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    return fail(`not valid JSON (${(err as Error).message})`);
  }
  const d = doc as { personas?: unknown; scaling?: { mean?: unknown; std?: unknown } };
  if (!d || typeof d !== 'object' || !Array.isArray(d.personas)) fail('expected {"personas": [...]}');
  const vec = (where: string, v: unknown) => {
    if (!v || typeof v !== 'object') return fail(`${where}: expected an object of ${FEATURES.join(', ')}`);
    const get = Array.isArray(v) ? (f: string) => v[FEATURES.indexOf(f as never)] : (f: string) => (v as Record<string, unknown>)[f];
    return vector(where, get, fail);
  };
  const personas = (d.personas as { name?: unknown; centroid?: unknown }[]).map((p, i) => ({
    name: typeof p?.name === 'string' ? p.name : fail(`personas[${i}]: name must be a string`),
    centroid: vec(`personas[${i}] centroid`, p?.centroid),
    where: `personas[${i}]`,
  }));
  const s = d.scaling;
  return { personas, mean: s?.mean !== undefined ? vec('scaling.mean', s.mean) : undefined, std: s?.std !== undefined ? vec('scaling.std', s.std) : undefined };
}

/** One CSV line → fields (double quotes, "" escapes). Vendor files are small; no multi-line fields. */
function splitCsv(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (quoted && ch === '"' && line[i + 1] === '"') {
      cur += '"';
      i++;
    } else if (ch === '"') quoted = !quoted;
    else if (ch === ',' && !quoted) {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  out.push(cur);
  return out;
}
