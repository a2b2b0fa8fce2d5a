import type { Session } from '../../adapters/warehouse/warehouse';
import type { CleanableTable } from '../../cleaning/vocabulary';

/**
 * What an operation did to its table's partition: how many rows it took out and which (the sum of
 * their keys' hashes). Recorded when a plan is accepted and compared when it is re-applied, so a
 * plan only re-applies to the same rows a person approved. Operations that change values in place
 * remove nothing and compare equal (documented limitation).
 */
export interface OperationEffect {
  table: CleanableTable;
  removed: number;
  fingerprint: string;
}

const KEY: Record<CleanableTable, string> = {
  events: 'event_id',
  sessions: 'session_id',
  orders: 'order_id',
  order_items: `order_id || '/' || cast(line_no as varchar)`,
};

export interface TableState {
  rows: number;
  hashSum: bigint;
}

export async function tableState(s: Session, physical: string, table: CleanableTable, date: string, hash: (expr: string) => string): Promise<TableState> {
  const [r] = await s.query<{ n: number; h: string | null }>(
    `select count(*) as n, cast(coalesce(sum(${hash(KEY[table])}), 0) as varchar) as h from ${physical} where partition_date = cast($d as date)`,
    { d: date },
  );
  return { rows: Number(r.n), hashSum: BigInt(String(r.h ?? '0').replace(/\.0+$/, '')) };
}

export function effectOf(table: CleanableTable, before: TableState, after: TableState): OperationEffect {
  return { table, removed: before.rows - after.rows, fingerprint: (before.hashSum - after.hashSum).toString() };
}
