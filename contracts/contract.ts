import { z } from 'zod';

/**
 * A source's contract is declared once, as a zod object; everything else is derived from it:
 * the bronze table's DDL, the set-based validation SQL (contracts/validation-sql.ts), the
 * quarantine reasons and the docs (`dag contracts`). The derivation goes through zod's JSON
 * Schema output, a stable description of the rules, rather than zod internals.
 */
export type SqlType = 'varchar' | 'bigint' | 'double' | 'timestamp' | 'date' | 'boolean';

export interface ColumnRule {
  name: string;
  sqlType: SqlType;
  nullable: boolean;
  enum?: readonly string[];
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  /** Text that must parse as JSON. */
  json?: boolean;
  description?: string;
}

export interface SourceContract {
  name: string;
  description: string;
  /** File name (without directory) expected in `landing/<date>/`; extension gives the format. */
  file: string;
  /** Columns that identify a record (duplicates are resolved in silver, not here). */
  key: readonly string[];
  schema: z.ZodObject;
  columns: readonly ColumnRule[];
}

export const jsonText = () => z.string().meta({ format: 'json' });

interface JsonSchemaProp {
  type?: string;
  format?: string;
  enum?: string[];
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  description?: string;
  anyOf?: JsonSchemaProp[];
}

export function defineSource(def: Omit<SourceContract, 'columns'>): SourceContract {
  const js = z.toJSONSchema(def.schema, { io: 'input' }) as { properties: Record<string, JsonSchemaProp> };
  const columns = Object.entries(js.properties).map(([name, prop]) => columnRule(name, prop));
  return { ...def, columns };
}

function columnRule(name: string, prop: JsonSchemaProp): ColumnRule {
  const variants = prop.anyOf ?? [prop];
  const nullable = variants.some((v) => v.type === 'null');
  const p = variants.find((v) => v.type !== 'null');
  if (!p) throw new Error(`contract column ${name}: no non-null type`);
  const rule: ColumnRule = { name, sqlType: sqlTypeOf(name, p), nullable, description: prop.description ?? p.description };
  if (p.enum) rule.enum = p.enum;
  // zod's int() emits ±MAX_SAFE_INTEGER bounds; those are not business rules.
  if (p.minimum !== undefined && Math.abs(p.minimum) < Number.MAX_SAFE_INTEGER) rule.minimum = p.minimum;
  if (p.maximum !== undefined && Math.abs(p.maximum) < Number.MAX_SAFE_INTEGER) rule.maximum = p.maximum;
  if (p.minLength !== undefined) rule.minLength = p.minLength;
  if (p.maxLength !== undefined) rule.maxLength = p.maxLength;
  if (p.format === 'json') rule.json = true;
  return rule;
}

function sqlTypeOf(name: string, p: JsonSchemaProp): SqlType {
  if (p.type === 'integer') return 'bigint';
  if (p.type === 'number') return 'double';
  if (p.type === 'boolean') return 'boolean';
  if (p.type === 'string' && p.format === 'date-time') return 'timestamp';
  if (p.type === 'string' && p.format === 'date') return 'date';
  if (p.type === 'string') return 'varchar';
  throw new Error(`contract column ${name}: unsupported JSON Schema type ${p.type}`);
}

/** Format and compression implied by a landing file name. */
export function fileFormat(file: string): { format: 'csv' | 'ndjson' | 'parquet'; compression: 'none' | 'gzip' } {
  const compression = file.endsWith('.gz') ? 'gzip' : 'none';
  const base = file.replace(/\.gz$/, '');
  if (base.endsWith('.csv')) return { format: 'csv', compression };
  if (base.endsWith('.ndjson') || base.endsWith('.jsonl')) return { format: 'ndjson', compression };
  if (base.endsWith('.parquet')) return { format: 'parquet', compression: 'none' };
  throw new Error(`unsupported landing file type: ${file} (expected .csv, .ndjson, .jsonl or .parquet, optionally .gz)`);
}
