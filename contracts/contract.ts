import { z } from 'zod';
import { columnRule, ContractError } from './zod-columns';

/**
 * A source's contract is declared once — a zod object plus a few settings — and everything else
 * is derived from it: the bronze table's DDL, the set-based validation SQL
 * (contracts/validation-sql.ts), the quarantine reasons, the per-source checks and the docs
 * (`dag contracts show`). Every zod rule used must have an SQL equivalent (contracts/zod-columns.ts);
 * anything else is refused when the contract is loaded, i.e. at worker start.
 */
export type SqlType = 'varchar' | 'bigint' | 'double' | 'timestamp' | 'date' | 'boolean';

/** A regular expression a value must (or must not) match, in the portable form (contracts/regex.ts). */
export interface PatternRule {
  pattern: string;
  caseInsensitive: boolean;
  /** false: the value must NOT match (e.g. a URL of a special scheme without a host). */
  mustMatch: boolean;
  reason: string;
}

export interface ColumnRule {
  name: string;
  sqlType: SqlType;
  /** An empty or absent value is accepted (zod .optional(), .nullable(), .nullish(), .default()). */
  nullable: boolean;
  /** Stored when the value is empty or absent (zod .default()). */
  default?: string | number | boolean;
  enum?: readonly string[];
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  /** Whole numbers only. */
  multipleOf?: number;
  minLength?: number;
  maxLength?: number;
  patterns?: readonly PatternRule[];
  /** Text that must parse as JSON. */
  json?: boolean;
  /** Timestamps: the zone of values written without an offset (else they are quarantined). */
  timeZone?: string;
  /** Timestamps: only UTC (`Z`) is accepted (zod's z.iso.datetime() without { offset: true }). */
  utcOnly?: boolean;
  description?: string;
}

export type FileFormat = 'csv' | 'ndjson' | 'parquet';

/** What a contract file declares (`export default defineSource({...})`). */
export interface SourceDefinition {
  /** Lowercase letters, digits and _: the table is `bronze.<name>`. */
  name: string;
  description: string;
  /**
   * Glob patterns (picomatch) for file names in `landing/<date>/` that belong to this source.
   * Default: `<name>.*` and `<name>-*` (e.g. events.csv, events-part2.csv.gz).
   */
  files?: readonly string[];
  /** csv | ndjson | parquet; default: from the file name (.csv, .ndjson/.jsonl, .parquet; .gz = gzip). */
  format?: FileFormat;
  /** CSV dialect. Quotes are `"` (doubled inside a value); the first line is the header. */
  csv?: { delimiter?: ',' | ';' | '\t' | '|' };
  /** Header names a column may also arrive under, e.g. { client_id: ['clientId'] }. */
  aliases?: Readonly<Record<string, readonly string[]>>;
  /** IANA zone for timestamps written without an offset; without it such values are quarantined. */
  timeZone?: string;
  /** The grain: columns that identify a record (duplicates are resolved in silver, not here). */
  key: readonly string[];
  /** A partition without rows of this source is blocked (sources_present). Default false. */
  required?: boolean;
  /** quarantine_rate blocks the partition when more than this share of the source's rows is quarantined. Default: DAG_MAX_QUARANTINE_RATE. */
  maxQuarantineRate?: number;
  schema: z.ZodObject;
}

export interface SourceContract extends SourceDefinition {
  files: readonly string[];
  aliases: Readonly<Record<string, readonly string[]>>;
  required: boolean;
  columns: readonly ColumnRule[];
  /** The file the contract was loaded from (set by the loader). */
  origin?: string;
}

export { ContractError };

/** Text that must parse as JSON (validated in SQL; kept as text in bronze). */
export const jsonText = () => z.string().meta({ format: 'json' });

const NAME = /^[a-z_][a-z0-9_]{0,62}$/;
const DELIMITERS = [',', ';', '\t', '|'];

export function defineSource(def: SourceDefinition): SourceContract {
  const where = `contract ${typeof def?.name === 'string' ? def.name : JSON.stringify(def?.name)}`;
  const fail = (msg: string): never => {
    throw new ContractError(`${where}: ${msg}`);
  };
  if (!def || typeof def !== 'object') throw new ContractError('a contract file must export defineSource({...}) as its default export');
  if (typeof def.name !== 'string' || !NAME.test(def.name)) fail('name must be lowercase letters, digits and _ (it names the table bronze.<name>)');
  if (!(def.schema instanceof z.ZodObject)) fail('schema must be a z.object({...})');
  const columns = Object.entries(def.schema.shape).map(([name, schema]) => {
    if (!NAME.test(name)) fail(`column ${JSON.stringify(name)}: names must be lowercase letters, digits and _`);
    return columnRule(`${where}, column ${name}`, name, schema as z.ZodType, def.timeZone);
  });
  if (columns.length === 0) fail('schema has no columns');
  const names = new Set(columns.map((c) => c.name));
  for (const k of def.key ?? []) if (!names.has(k)) fail(`key column ${k} is not in the schema`);
  if (!Array.isArray(def.key) || def.key.length === 0) fail('key must name at least one column (the grain)');
  const aliases = checkAliases(def.aliases ?? {}, names, fail);
  const files = def.files ?? [`${def.name}.*`, `${def.name}-*`];
  if (!Array.isArray(files) || files.length === 0 || files.some((f) => typeof f !== 'string' || !f || f.includes('/')))
    fail('files must be a non-empty list of file-name patterns (no folders), e.g. ["orders-*.csv"]');
  if (def.format !== undefined && !['csv', 'ndjson', 'parquet'].includes(def.format)) fail('format must be csv, ndjson or parquet');
  if (def.csv?.delimiter !== undefined && !DELIMITERS.includes(def.csv.delimiter)) fail('csv.delimiter must be one of , ; | or a tab');
  if (def.maxQuarantineRate !== undefined && !(typeof def.maxQuarantineRate === 'number' && def.maxQuarantineRate >= 0 && def.maxQuarantineRate <= 1))
    fail('maxQuarantineRate must be a share between 0 and 1, e.g. 0.05');
  if (def.required !== undefined && typeof def.required !== 'boolean') fail('required must be true or false');
  if (def.timeZone !== undefined && !isTimeZone(def.timeZone)) fail(`timeZone ${JSON.stringify(def.timeZone)} is not an IANA time zone (e.g. "Europe/Berlin")`);
  if (typeof def.description !== 'string' || !def.description.trim()) fail('description is required (it is shown by `dag contracts`)');
  return { ...def, files, aliases, required: def.required ?? false, columns };
}

function checkAliases(
  aliases: Readonly<Record<string, readonly string[]>>,
  names: Set<string>,
  fail: (m: string) => never,
): Readonly<Record<string, readonly string[]>> {
  const seen = new Map<string, string>();
  for (const [col, list] of Object.entries(aliases)) {
    if (!names.has(col)) fail(`aliases: ${col} is not a column of the schema`);
    if (!Array.isArray(list)) fail(`aliases.${col} must be a list of header names`);
    for (const a of list) {
      // Aliases are compared with file headers; Parquet readers quote them, so keep them plain.
      if (typeof a !== 'string' || a.length === 0 || a.length > 128 || /["\\]/.test(a) || [...a].some((ch) => ch.charCodeAt(0) < 32))
        fail(`aliases.${col}: ${JSON.stringify(a)} is not a usable header name`);
      if (names.has(a)) fail(`aliases.${col}: ${a} is itself a column`);
      if (seen.has(a)) fail(`aliases: ${a} is given for both ${seen.get(a)} and ${col}`);
      seen.set(a, col);
    }
  }
  return aliases;
}

export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return /^[A-Za-z_]+(\/[A-Za-z0-9_+-]+)*$/.test(zone);
  } catch {
    return false;
  }
}

/** Format and compression of a landing file: the contract's format, else implied by the name. */
export function fileFormat(file: string, format?: FileFormat): { format: FileFormat; compression: 'none' | 'gzip' } {
  const compression = file.endsWith('.gz') ? 'gzip' : 'none';
  const base = file.replace(/\.gz$/, '');
  if (format) return { format, compression: format === 'parquet' ? 'none' : compression };
  if (base.endsWith('.csv')) return { format: 'csv', compression };
  if (base.endsWith('.ndjson') || base.endsWith('.jsonl')) return { format: 'ndjson', compression };
  if (base.endsWith('.parquet')) return { format: 'parquet', compression: 'none' };
  throw new Error(`unsupported landing file type: ${file} (expected .csv, .ndjson, .jsonl or .parquet, optionally .gz)`);
}
