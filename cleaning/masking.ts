import { createHash } from 'node:crypto';

/**
 * Profiles are the only data a model ever sees, so customer identifiers are replaced by stable
 * pseudonyms (same value → same pseudonym within a profile, so duplicates stay visible) and
 * every value is cut short.
 */
const IDENTIFYING = /(^|_)(client_id|customer_id|email|ip|ip_address|phone|user_agent|name)$/;
export const MAX_VALUE_CHARS = 120;

export type SampleValue = string | number | boolean | null;

export function isIdentifying(column: string): boolean {
  return IDENTIFYING.test(column);
}

export function pseudonym(value: unknown): string {
  return `masked_${createHash('sha256').update(String(value)).digest('hex').slice(0, 10)}`;
}

export function maskRow(row: Record<string, unknown>): Record<string, SampleValue> {
  return Object.fromEntries(Object.entries(row).map(([k, v]) => [k, maskValue(k, v)]));
}

function maskValue(column: string, v: unknown): SampleValue {
  if (v === null || v === undefined) return null;
  if (isIdentifying(column)) return pseudonym(v);
  if (typeof v === 'number' || typeof v === 'boolean') return v;
  if (typeof v === 'bigint') return Number(v);
  const text = v instanceof Date ? v.toISOString() : typeof v === 'object' ? JSON.stringify(v) : String(v);
  return text.length > MAX_VALUE_CHARS ? `${text.slice(0, MAX_VALUE_CHARS)}…` : text;
}
