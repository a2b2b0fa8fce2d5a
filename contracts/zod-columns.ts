import { z } from 'zod';
import type { ColumnRule, PatternRule } from './contract';
import { portableRegex, UnportableRegex } from './regex';

/**
 * One zod column schema → the column's SQL rules. The schema's definition is read directly
 * (zod 4 exposes it for introspection as `_zod.def`) rather than through its JSON Schema, because
 * JSON Schema silently drops what has no JSON Schema form (`.refine()`, `.trim()`, transforms) —
 * here every check is either mapped or refused with ONE line naming the source, the column and
 * the rule. Supported:
 *   types      string, number (int/int32/uint32/float), bigint, boolean, enum / literal (text),
 *              z.iso.datetime(), z.iso.date(), jsonText();
 *   text       .min() .max() .length() .regex() .email() .uuid() .guid() .url() .startsWith()
 *              .endsWith() .includes() .lowercase() .uppercase() and the other zod string formats
 *              whose pattern is portable (cuid, ulid, ipv4, …);
 *   numbers    .min() .max() .gt() .gte() .lt() .lte() .int() .positive() … .multipleOf(whole);
 *   presence   .optional() .nullable() .nullish() .default(value) .describe() .readonly().
 */
export class ContractError extends Error {
  override name = 'ContractError';
}

interface Def {
  type: string;
  checks?: { _zod: { def: CheckDef } }[];
  innerType?: z.ZodType;
  defaultValue?: unknown;
  entries?: Record<string, unknown>;
  values?: unknown[];
  format?: string;
  coerce?: boolean;
  offset?: boolean;
  local?: boolean;
  pattern?: RegExp;
  protocol?: RegExp;
  hostname?: RegExp;
  normalize?: boolean;
  check?: string;
  [k: string]: unknown;
}

interface CheckDef {
  check: string;
  format?: string;
  pattern?: RegExp;
  value?: number | bigint;
  inclusive?: boolean;
  minimum?: number;
  maximum?: number;
  length?: number;
  prefix?: string;
  suffix?: string;
  includes?: string;
  protocol?: RegExp;
  hostname?: RegExp;
  normalize?: boolean;
  offset?: boolean;
  local?: boolean;
  precision?: number | null;
  [k: string]: unknown;
}

const defOf = (s: z.ZodType) => (s as unknown as { _zod: { def: Def } })._zod.def;

const FORMAT_REASON: Record<string, string> = {
  email: 'not an email address',
  uuid: 'not a UUID',
  guid: 'not a GUID',
  lowercase: 'not lower case',
  uppercase: 'not upper case',
};

export function columnRule(where: string, name: string, schema: z.ZodType, sourceTimeZone?: string): ColumnRule {
  const fail = (msg: string): never => {
    throw new ContractError(`${where}: ${msg}`);
  };
  let nullable = false;
  let defaultValue: unknown;
  let hasDefault = false;
  let description: string | undefined;
  let json = false;
  let s = schema;
  // Unwrap presence modifiers, collecting what they say (and any .describe()/.meta() on the way).
  for (;;) {
    const meta = z.globalRegistry.get(s) as { description?: string; format?: string } | undefined;
    description ??= meta?.description;
    if (meta?.format === 'json') json = true;
    const d = defOf(s);
    if (d.type === 'optional' || d.type === 'nullable') nullable = true;
    else if (d.type === 'default') {
      nullable = true;
      hasDefault = true;
      defaultValue = d.defaultValue;
    } else if (d.type === 'readonly') {
      /* no effect on a value read from a file */
    } else if (d.type === 'pipe' || d.type === 'transform') return fail('.transform() changes the value; contracts only validate (silver may transform)');
    else if (d.type === 'catch') return fail('.catch() replaces invalid values; contracts quarantine them instead');
    else if (d.type === 'prefault') return fail('.prefault() is not supported; use .default()');
    else break;
    s = d.innerType!;
  }
  const d = defOf(s);
  const rule: ColumnRule = { name, sqlType: 'varchar', nullable };
  if (description) rule.description = description;
  const patterns: PatternRule[] = [];
  const checks = [...(d.check ? [d as CheckDef] : []), ...(d.checks ?? []).map((c) => c._zod.def)];

  switch (d.type) {
    case 'string':
      rule.sqlType = 'varchar';
      for (const c of checks) stringCheck(c);
      if (json) rule.json = true;
      break;
    case 'number':
    case 'bigint':
      rule.sqlType = d.type === 'bigint' ? 'bigint' : 'double';
      for (const c of checks) numberCheck(c);
      break;
    case 'boolean':
      if (d.coerce) fail('z.coerce.boolean() reads any non-empty text as true; use z.boolean() (true/false)');
      rule.sqlType = 'boolean';
      for (const c of checks) unsupported(c);
      break;
    case 'enum':
    case 'literal': {
      const values = d.type === 'enum' ? Object.values(d.entries ?? {}) : (d.values ?? []);
      if (!values.every((v) => typeof v === 'string')) fail(`${d.type} values must be text (a file holds text)`);
      if (values.some((v) => (v as string).includes('\\'))) fail(`${d.type} values with a backslash are not supported`);
      rule.enum = values as string[];
      for (const c of checks) unsupported(c);
      break;
    }
    default:
      fail(`${d.type} is not a supported column type (string, number, boolean, enum, date, datetime, or jsonText())`);
  }
  if (patterns.length) rule.patterns = patterns;
  if (hasDefault) rule.default = defaultLiteral(defaultValue);
  return rule;

  function stringCheck(c: CheckDef): void {
    switch (c.check) {
      case 'min_length':
        rule.minLength = Math.max(rule.minLength ?? 0, c.minimum!);
        return;
      case 'max_length':
        rule.maxLength = Math.min(rule.maxLength ?? Infinity, c.maximum!);
        return;
      case 'length_equals':
        rule.minLength = rule.maxLength = c.length!;
        return;
      case 'string_format':
        return stringFormat(c);
      default:
        return unsupported(c);
    }
  }

  function stringFormat(c: CheckDef): void {
    const f = c.format!;
    if (f === 'datetime') {
      if (rule.sqlType !== 'varchar' || patterns.length) fail('a datetime column takes no other text rules');
      rule.sqlType = 'timestamp';
      const zone = sourceTimeZone;
      if (c.local && !zone) fail('z.iso.datetime({ local: true }) needs the source’s timeZone to know what the wall times mean');
      if (c.precision !== null && c.precision !== undefined) fail('z.iso.datetime({ precision }) is not supported');
      if (zone) rule.timeZone = zone;
      // zod's z.iso.datetime() without { offset: true } accepts only UTC (Z).
      if (!c.offset) rule.utcOnly = true;
      return;
    }
    if (f === 'date') {
      rule.sqlType = 'date';
      return;
    }
    if (f === 'url') {
      if (c.hostname) fail('.url({ hostname }) is not supported; use .regex() on the whole URL');
      if (c.normalize) fail('.url({ normalize: true }) changes the value; contracts only validate');
      let scheme = '[A-Za-z][A-Za-z0-9+.-]*';
      if (c.protocol) {
        const src = c.protocol.source;
        if (!src.startsWith('^') || !src.endsWith('$')) fail('.url({ protocol }) must be anchored, e.g. /^https?$/');
        scheme = `(${portable(new RegExp(src.slice(1, -1), c.protocol.flags), '.url({ protocol })').pattern})`;
      }
      const reason = `${name}: not a URL`;
      // WHATWG URLs (what zod's .url() parses): a scheme, then no whitespace; the special schemes
      // need a host. Stricter than a browser on one point: a space in the path is refused.
      patterns.push({ pattern: `^${scheme}:[^ \t\r\n\f\v]+$`, caseInsensitive: !!c.protocol?.flags.includes('i'), mustMatch: true, reason });
      patterns.push({ pattern: '^(https?|wss?|ftp):[/\\\\]*([?#].*)?$', caseInsensitive: true, mustMatch: false, reason });
      return;
    }
    if (!c.pattern) return fail(`.${f}() has no SQL equivalent`);
    const label = f === 'regex' ? `.regex(${String(c.pattern)})` : `.${camel(f)}()`;
    const p = portable(c.pattern, label);
    const reason =
      f === 'regex'
        ? `does not match ${String(c.pattern)}`
        : f === 'starts_with'
          ? `does not start with ${JSON.stringify(c.prefix)}`
          : f === 'ends_with'
            ? `does not end with ${JSON.stringify(c.suffix)}`
            : f === 'includes'
              ? `does not contain ${JSON.stringify(c.includes)}`
              : (FORMAT_REASON[f] ?? `not a valid ${f}`);
    patterns.push({ ...p, mustMatch: true, reason: `${name}: ${reason}` });
  }

  function numberCheck(c: CheckDef): void {
    const v = c.value === undefined ? undefined : Number(c.value);
    switch (c.check) {
      case 'number_format':
        if (c.format === 'safeint' || c.format === 'int32' || c.format === 'uint32') {
          rule.sqlType = 'bigint';
          if (c.format === 'int32') bound(-2147483648, 2147483647);
          if (c.format === 'uint32') bound(0, 4294967295);
          return;
        }
        if (c.format === 'float32' || c.format === 'float64') return;
        return unsupported(c);
      case 'bigint_format':
        rule.sqlType = 'bigint';
        return;
      case 'greater_than':
        if (c.inclusive) rule.minimum = Math.max(rule.minimum ?? -Infinity, v!);
        else rule.exclusiveMinimum = Math.max(rule.exclusiveMinimum ?? -Infinity, v!);
        return;
      case 'less_than':
        if (c.inclusive) rule.maximum = Math.min(rule.maximum ?? Infinity, v!);
        else rule.exclusiveMaximum = Math.min(rule.exclusiveMaximum ?? Infinity, v!);
        return;
      case 'multiple_of':
        if (!Number.isInteger(v) || v! <= 0) fail(`.multipleOf(${v}) is supported for whole numbers only`);
        rule.multipleOf = v;
        return;
      default:
        return unsupported(c);
    }
  }

  function bound(min: number, max: number): void {
    rule.minimum = Math.max(rule.minimum ?? -Infinity, min);
    rule.maximum = Math.min(rule.maximum ?? Infinity, max);
  }

  function portable(re: RegExp, label: string) {
    try {
      const p = portableRegex(re);
      // The pattern becomes an SQL literal inside a template tag: braces in pairs would end the tag.
      if (p.pattern.includes('{{') || p.pattern.includes('}}')) throw new UnportableRegex('{{ or }} in a pattern is not supported');
      return p;
    } catch (err) {
      if (!(err instanceof UnportableRegex)) throw err;
      return fail(`${label}: ${err.message} (patterns run in the warehouse: DuckDB and Snowflake)`);
    }
  }

  function unsupported(c: CheckDef): never {
    if (c.check === 'custom') return fail('.refine() has no SQL equivalent; express it with .regex(), .min()/.max() or an enum, or check it after silver');
    if (c.check === 'overwrite') return fail('.trim(), .toLowerCase() and .toUpperCase() change the value; contracts only validate (silver may trim)');
    return fail(`.${camel(c.check)}() is not supported`);
  }

  function defaultLiteral(v: unknown): string | number | boolean {
    if (rule.sqlType === 'timestamp') return fail('.default() on a datetime column is not supported (which time zone?)');
    if (typeof v === 'string' && v.includes('\\')) return fail('.default() text with a backslash is not supported');
    if (typeof v === 'string' || typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v))) return v;
    return fail('.default() must be a text, number or boolean value');
  }
}

const camel = (s: string) => s.replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase());
