import type { RawColumn, RawLoadResult } from './warehouse';
import { assertIdentifier } from './warehouse';

/** `string | RawColumn` → RawColumn (a plain name is filled only from a header of that name). */
export const rawColumn = (c: string | RawColumn): RawColumn => (typeof c === 'string' ? { name: c, headers: [c] } : c);

export interface FileColumnMap {
  /** For each declared column (in order): the position of the file column that fills it, or -1. */
  positions: number[];
  /** Every file column in order, with the raw-table column that holds it. */
  layout: NonNullable<RawLoadResult['layout']>;
}

/**
 * Matches a file's header to the declared columns: each takes the first of its headers present
 * in the file and not already taken (so `client_id` wins over an alias `clientId` when both
 * appear); every other file column is kept as `_extra_<position>`. Header names never become SQL
 * identifiers: the raw table's column names are ours.
 */
export function mapFileColumns(fileColumns: readonly string[], columns: readonly RawColumn[]): FileColumnMap {
  columns.forEach((c) => assertIdentifier(c.name));
  const taken = new Map<number, string>();
  const positions = columns.map((c) => {
    for (const h of c.headers) {
      const i = fileColumns.findIndex((f, k) => f === h && !taken.has(k));
      if (i >= 0) {
        taken.set(i, c.name);
        return i;
      }
    }
    return -1;
  });
  return { positions, layout: fileColumns.map((header, i) => ({ header, column: taken.get(i) ?? `_extra_${i}` })) };
}

/** The raw table's value columns: the declared ones, then the extras, as the layout names them. */
export const rawValueColumns = (columns: readonly RawColumn[], map: FileColumnMap) => [
  ...columns.map((c) => c.name),
  ...map.layout.filter((l) => l.column.startsWith('_extra_')).map((l) => l.column),
];
