/**
 * Turns DuckDB's JS values into plain JSON-able ones so callers see the same shapes from every
 * warehouse: BIGINT/HUGEINT → number (exact below 2^53, which counts and cents stay under),
 * TIMESTAMP/DATE → ISO string.
 */
export function normaliseValue(v: unknown): unknown {
  if (typeof v === 'bigint') return Number(v);
  if (v instanceof Date) return v.toISOString();
  if (Array.isArray(v)) return v.map(normaliseValue);
  if (v && typeof v === 'object') return normaliseRow(v as Record<string, unknown>);
  return v;
}

export function normaliseRow(row: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(row)) out[k] = normaliseValue(v);
  return out;
}
