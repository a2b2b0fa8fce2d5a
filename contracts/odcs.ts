import { z } from 'zod';
import { ContractError, defineSource, jsonText, type SourceContract, type SourceDefinition } from './contract';

/**
 * Open Data Contract Standard v3 (YAML) → the same contract model as a TypeScript contract: the
 * document is turned into a zod schema and settings and goes through defineSource, so the same
 * rules are enforced in SQL and the same refusals apply. Each object of `schema` is one source.
 *
 * Used:   schema[].name, description; properties[].name, logicalType (string, integer, number,
 *         boolean, date, timestamp; object/array as JSON text), required, primaryKey(+Position),
 *         unique (key when there is no primary key), description, logicalTypeOptions (pattern,
 *         minLength, maxLength, minimum, maximum, exclusiveMinimum, exclusiveMaximum, multipleOf,
 *         format email/uuid/uri, defaultTimezone); quality rules of type library: nullValues (→
 *         required), invalidValues with validValues (→ enum) or pattern (→ regex), duplicateValues
 *         (→ the key), each with mustBe 0 — or a percent tolerance (mustBeLessThan /
 *         mustBeLessOrEqualTo with unit percent), which becomes the source's quarantine-rate
 *         threshold (the smallest one); type text (documentation). Our own settings as
 *         customProperties: files, format, csvDelimiter, timeZone, required, maxQuarantineRate
 *         (object level) and aliases, default (property level).
 * Refused (one line): other logical types (time), date formats other than ISO-8601, quality rules
 *         of type sql or custom, rowCount, row-count tolerances, unknown string formats.
 * Ignored (listed by `dag contracts import`): team, roles, SLA, servers, pricing, support, tags,
 *         examples, classification, physicalType/physicalName, authoritativeDefinitions, …
 */
interface Odcs {
  apiVersion?: string;
  kind?: string;
  id?: string;
  name?: string;
  description?: { purpose?: string } | string;
  schema?: OdcsObject[];
  [k: string]: unknown;
}
interface OdcsObject {
  name?: string;
  description?: string;
  properties?: OdcsProperty[];
  quality?: OdcsQuality[];
  customProperties?: { property: string; value: unknown }[];
  [k: string]: unknown;
}
interface OdcsProperty {
  name?: string;
  logicalType?: string;
  required?: boolean;
  primaryKey?: boolean;
  primaryKeyPosition?: number;
  unique?: boolean;
  description?: string;
  logicalTypeOptions?: Record<string, unknown>;
  quality?: OdcsQuality[];
  customProperties?: { property: string; value: unknown }[];
  [k: string]: unknown;
}
interface OdcsQuality {
  type?: string;
  metric?: string;
  rule?: string;
  arguments?: { validValues?: unknown[]; pattern?: string; properties?: string[] };
  unit?: string;
  mustBe?: number;
  mustBeLessThan?: number;
  mustBeLessOrEqualTo?: number;
  [k: string]: unknown;
}

const DOC_KEYS = new Set([
  'version',
  'apiVersion',
  'kind',
  'id',
  'name',
  'status',
  'schema',
  'description',
  'tenant',
  'domain',
  'dataProduct',
  'contractCreatedTs',
]);
const OBJECT_KEYS = new Set(['name', 'description', 'properties', 'quality', 'customProperties', 'logicalType', 'id']);
const PROPERTY_KEYS = new Set([
  'name',
  'logicalType',
  'required',
  'primaryKey',
  'primaryKeyPosition',
  'unique',
  'description',
  'logicalTypeOptions',
  'quality',
  'customProperties',
  'id',
]);
const ISO_FORMAT = /^(yyyy-MM-dd)(['T ]+HH:mm(:ss(\.S+)?)?(X|XX|XXX|Z|'Z')?)?$/;

export interface OdcsImport {
  sources: SourceContract[];
  /** Parts of the document that have no effect here (documentation, infrastructure, people). */
  ignored: string[];
}

export function odcsToSources(raw: unknown): OdcsImport {
  const doc = raw as Odcs;
  if (!doc || typeof doc !== 'object') throw new ContractError('ODCS: the file is not a YAML mapping');
  if (doc.kind !== 'DataContract') throw new ContractError(`ODCS: kind must be DataContract (got ${JSON.stringify(doc.kind)})`);
  if (!/^v?3\./.test(String(doc.apiVersion ?? '')))
    throw new ContractError(`ODCS: apiVersion ${JSON.stringify(doc.apiVersion)} is not v3 (v3.0.x and v3.1.0 are read)`);
  if (!Array.isArray(doc.schema) || doc.schema.length === 0) throw new ContractError('ODCS: schema must list at least one object');
  const ignored = Object.keys(doc)
    .filter((k) => !DOC_KEYS.has(k))
    .map((k) => k);
  const docDescription = typeof doc.description === 'string' ? doc.description : doc.description?.purpose;
  const sources = doc.schema.map((o) => objectToSource(o, docDescription, ignored));
  return { sources, ignored: [...new Set(ignored)] };
}

function objectToSource(o: OdcsObject, docDescription: string | undefined, ignored: string[]): SourceContract {
  const where = `ODCS object ${JSON.stringify(o?.name)}`;
  const fail = (msg: string): never => {
    throw new ContractError(`${where}: ${msg}`);
  };
  if (!o || typeof o.name !== 'string') return fail('name is required');
  Object.keys(o)
    .filter((k) => !OBJECT_KEYS.has(k))
    .forEach((k) => ignored.push(`${o.name}.${k}`));
  const custom = customProps(o.customProperties, fail);
  let maxQuarantineRate = custom.maxQuarantineRate as number | undefined;
  let timeZone = custom.timeZone as string | undefined;
  const aliases: Record<string, string[]> = {};
  const keyByPosition: { name: string; pos: number }[] = [];
  const unique: string[] = [];
  const shape: Record<string, z.ZodType> = {};
  const tolerate = (q: OdcsQuality, what: string) => {
    const limit = q.mustBeLessThan ?? q.mustBeLessOrEqualTo;
    if ((q.mustBe === 0 && limit === undefined) || (limit === 0 && q.mustBeLessOrEqualTo === 0)) return;
    if (limit === undefined) fail(`${what}: only mustBe: 0 or a percent tolerance (mustBeLessThan, unit: percent) can be enforced per row`);
    if (q.unit !== 'percent') fail(`${what}: a tolerance in rows does not scale with the file; use unit: percent`);
    // A tolerated share of bad rows is the source's quarantine-rate threshold (the strictest wins).
    maxQuarantineRate = Math.min(maxQuarantineRate ?? 1, limit! / 100);
  };

  for (const p of o.properties ?? []) {
    if (!p || typeof p.name !== 'string') fail('every property needs a name');
    const pw = `property ${p.name}`;
    Object.keys(p)
      .filter((k) => !PROPERTY_KEYS.has(k))
      .forEach((k) => ignored.push(`${o.name}.${p.name}.${k}`));
    const opts = p.logicalTypeOptions ?? {};
    const pcustom = customProps(p.customProperties, fail);
    let required = p.required === true;
    let enumValues: string[] | undefined;
    const patterns: string[] = [];
    for (const q of p.quality ?? []) {
      const type = q.type ?? 'library';
      if (type === 'text') continue;
      if (type !== 'library') fail(`${pw}: quality rules of type ${type} cannot be enforced here (remove them or use type: text)`);
      const metric = q.metric ?? q.rule;
      if (metric === 'nullValues' || metric === 'missingValues') {
        tolerate(q, `${pw}: ${metric}`);
        required = true;
      } else if (metric === 'invalidValues' && Array.isArray(q.arguments?.validValues)) {
        tolerate(q, `${pw}: invalidValues`);
        enumValues = q.arguments.validValues.map(String);
      } else if (metric === 'invalidValues' && typeof q.arguments?.pattern === 'string') {
        tolerate(q, `${pw}: invalidValues`);
        patterns.push(q.arguments.pattern);
      } else if (metric === 'duplicateValues') {
        unique.push(p.name!);
      } else fail(`${pw}: quality metric ${JSON.stringify(metric)} cannot be enforced per row`);
    }
    let s = propertyType(p, opts, enumValues, patterns, fail);
    if (pcustom.default !== undefined) s = (s as z.ZodString).default(pcustom.default as string);
    else if (!required) s = s.nullable();
    if (p.description) s = s.describe(p.description);
    shape[p.name!] = s;
    if (p.primaryKey) keyByPosition.push({ name: p.name!, pos: p.primaryKeyPosition ?? keyByPosition.length + 1 });
    if (p.unique) unique.push(p.name!);
    if (pcustom.aliases !== undefined) {
      if (!Array.isArray(pcustom.aliases)) fail(`${pw}: customProperties aliases must be a list`);
      aliases[p.name!] = (pcustom.aliases as unknown[]).map(String);
    }
    const zone = opts.defaultTimezone;
    if (typeof zone === 'string' && zone !== 'UTC') {
      if (timeZone && timeZone !== zone) fail(`${pw}: one time zone per source (${timeZone} and ${zone})`);
      timeZone = zone;
    }
  }
  for (const q of o.quality ?? []) {
    const type = q.type ?? 'library';
    if (type === 'text') continue;
    const metric = q.metric ?? q.rule;
    if (type === 'library' && metric === 'duplicateValues' && Array.isArray(q.arguments?.properties)) {
      keyByPosition.length = 0;
      q.arguments.properties.forEach((name, pos) => keyByPosition.push({ name, pos }));
      continue;
    }
    fail(
      `quality rule ${JSON.stringify(q.name ?? metric ?? type)} (${type}${metric ? ` ${metric}` : ''}) cannot be enforced at load time (remove it or use type: text)`,
    );
  }
  const key = keyByPosition.length ? keyByPosition.sort((a, b) => a.pos - b.pos).map((k) => k.name) : unique.slice(0, 1);
  if (key.length === 0) fail('no primaryKey, unique property or duplicateValues rule: say what identifies a record');
  const def: SourceDefinition = {
    name: o.name,
    description: o.description ?? docDescription ?? `imported from ODCS (${o.name})`,
    key,
    schema: z.object(shape),
    ...(custom.files !== undefined ? { files: custom.files as string[] } : {}),
    ...(custom.format !== undefined ? { format: custom.format as SourceDefinition['format'] } : {}),
    ...(custom.csvDelimiter !== undefined ? { csv: { delimiter: custom.csvDelimiter as ',' } } : {}),
    ...(timeZone !== undefined ? { timeZone } : {}),
    ...(custom.required !== undefined ? { required: custom.required as boolean } : {}),
    ...(maxQuarantineRate !== undefined ? { maxQuarantineRate } : {}),
    ...(Object.keys(aliases).length ? { aliases } : {}),
  };
  return defineSource(def);
}

function propertyType(
  p: OdcsProperty,
  opts: Record<string, unknown>,
  enumValues: string[] | undefined,
  patterns: string[],
  fail: (m: string) => never,
): z.ZodType {
  const pw = `property ${p.name}`;
  const num = (k: string) => (typeof opts[k] === 'number' ? (opts[k] as number) : undefined);
  const type = p.logicalType ?? 'string';
  const dateFormat = opts.format;
  if ((type === 'date' || type === 'timestamp') && dateFormat !== undefined && !(typeof dateFormat === 'string' && ISO_FORMAT.test(dateFormat)))
    fail(`${pw}: format ${JSON.stringify(dateFormat)} is not ISO-8601; only ISO dates and timestamps are read`);
  if (enumValues && type !== 'string') fail(`${pw}: validValues are supported on strings`);
  switch (type) {
    case 'string': {
      if (enumValues) return z.enum(enumValues as [string, ...string[]]);
      let s = z.string();
      const format = opts.format;
      if (format === 'email') s = s.email();
      else if (format === 'uuid') s = s.uuid();
      else if (format === 'uri' || format === 'url') s = s.url();
      else if (format !== undefined) fail(`${pw}: string format ${JSON.stringify(format)} is not supported (email, uuid, uri)`);
      if (num('minLength') !== undefined) s = s.min(num('minLength')!);
      if (num('maxLength') !== undefined) s = s.max(num('maxLength')!);
      for (const src of [...(typeof opts.pattern === 'string' ? [opts.pattern] : []), ...patterns]) {
        try {
          s = s.regex(new RegExp(src));
        } catch (err) {
          fail(`${pw}: pattern ${JSON.stringify(src)} is not a regular expression (${(err as Error).message})`);
        }
      }
      return s;
    }
    case 'integer':
    case 'number': {
      let n = type === 'integer' ? z.number().int() : z.number();
      if (num('minimum') !== undefined) n = n.min(num('minimum')!);
      if (num('maximum') !== undefined) n = n.max(num('maximum')!);
      if (num('exclusiveMinimum') !== undefined) n = n.gt(num('exclusiveMinimum')!);
      if (num('exclusiveMaximum') !== undefined) n = n.lt(num('exclusiveMaximum')!);
      if (num('multipleOf') !== undefined) n = n.multipleOf(num('multipleOf')!);
      return n;
    }
    case 'boolean':
      return z.boolean();
    case 'date':
      return z.iso.date();
    case 'timestamp':
      return z.iso.datetime({ offset: true });
    case 'object':
    case 'array':
      return jsonText();
    default:
      return fail(`${pw}: logicalType ${JSON.stringify(type)} is not supported (string, integer, number, boolean, date, timestamp, object, array)`);
  }
}

function customProps(list: unknown, fail: (m: string) => never): Record<string, unknown> {
  if (list === undefined) return {};
  if (!Array.isArray(list)) fail('customProperties must be a list of {property, value}');
  return Object.fromEntries((list as { property?: unknown; value?: unknown }[]).map((c) => [String(c.property), c.value]));
}
