/**
 * Gives Snowflake rows the shapes DuckDbWarehouse returns (see duckdb-values.ts), so callers never
 * branch on the warehouse: keys lowercased (Snowflake upper-cases unquoted identifiers, so `select
 * order_id` comes back as ORDER_ID), DATE/TIMESTAMP (the sdk's Date subclasses) → ISO-8601 UTC
 * strings, bigint → number. Numbers already arrive as numbers; VARIANT arrives as JSON text
 * (fetchAsString JSON), like DuckDB's JSON type.
 */
export function normaliseSnowflakeRow(row: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(row)) out[k.toLowerCase()] = normaliseSnowflakeValue(v);
  return out;
}

export function normaliseSnowflakeValue(v: unknown): unknown {
  if (typeof v === 'bigint') return Number(v);
  if (v instanceof Date) return v.toISOString();
  if (Array.isArray(v)) return v.map(normaliseSnowflakeValue);
  return v;
}
