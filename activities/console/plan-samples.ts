import type { Warehouse } from '../../adapters/warehouse/warehouse';
import { compileOperation } from '../../cleaning/compiler';
import { maskRow, type SampleValue } from '../../cleaning/masking';
import { CLEANABLE_TABLES, describeOperation, type CleanableTable, type CleaningPlan, type Operation } from '../../cleaning/vocabulary';
import type { ActivityDeps } from '../../lib/deps';
import { compactDate } from '../../lib/dates';
import { withHeartbeat } from '../../lib/heartbeat';
import { compileContext } from '../cleaning/compile-context';
import { copyPartition, type TableMap } from '../cleaning/tables';

/**
 * Rows before and after each operation of a cleaning plan, for the approver's decision page.
 * The plan runs, operation by operation, on the console's own staging copy of the partition
 * (silver is not touched, and the review's dry-run copy is not shared); after each one the
 * table is compared with its state before it by key: rows taken out and rows whose values
 * changed, counted, and up to SAMPLES_PER_OPERATION of them kept with both versions. Customer
 * identifiers are shown as the same stable pseudonyms the planner sees. The result goes to the
 * object store (rows never enter a workflow history); the activity returns its key.
 */
export const SAMPLES_PER_OPERATION = 10;

/** Each cleanable table's row key (the keys silver_duplicate_keys enforces). */
export const ROW_KEYS: Record<CleanableTable, string[]> = {
  events: ['event_id'],
  sessions: ['session_id'],
  orders: ['order_id'],
  order_items: ['order_id', 'line_no'],
};

export interface SampleRow {
  key: string;
  before: Record<string, SampleValue> | null;
  /** null: the operation took the row out. */
  after: Record<string, SampleValue> | null;
  changedColumns: string[];
}

export interface OperationSamples {
  index: number;
  description: string;
  rationale: string;
  table: CleanableTable | null;
  refused?: string;
  rowsBefore: number;
  rowsAfter: number;
  removed: number;
  changed: number;
  samples: SampleRow[];
}

export interface PlanSamples {
  workflowId: string;
  runId: string;
  date: string;
  planVersion: number;
  computedAt: string;
  operations: OperationSamples[];
}

export interface PlanSamplesInput {
  workflowId: string;
  runId: string;
  date: string;
  plan: CleaningPlan;
}

export const planSamplesKey = (workflowId: string, runId: string, version: number) => `console/samples/${workflowId}/${runId}/plan-v${version}.json`;

export async function samplePlan(deps: ActivityDeps, input: PlanSamplesInput): Promise<{ key: string; operations: number }> {
  const wh = deps.warehouse;
  const key = planSamplesKey(input.workflowId, input.runId, input.plan.version);
  const suffix = `${compactDate(input.date)}`;
  const tables = Object.fromEntries(CLEANABLE_TABLES.map((t) => [t, `staging.console_${t}__${suffix}`])) as TableMap;
  const before = `staging.console_before__${suffix}`;
  const drop = async () => {
    for (const t of [...Object.values(tables), before]) await wh.exec(`drop table if exists ${t}`);
  };
  return withHeartbeat(
    async () => {
      await drop();
      await copyPartition(wh, input.date, tables);
      try {
        const ctx = await compileContext(deps, wh, tables, { date: input.date, workflowId: input.workflowId, version: input.plan.version });
        const operations: OperationSamples[] = [];
        for (const [index, op] of input.plan.operations.entries()) {
          const base = { index, description: describeOperation(op), rationale: op.rationale, rowsBefore: 0, rowsAfter: 0, removed: 0, changed: 0, samples: [] };
          // Quarantining is a delete here too: the copy needs no quarantine records.
          const asRun: Operation = op.op === 'quarantine_flagged_rows' ? { ...op, op: 'drop_flagged_rows' } : op;
          const compiled = compileOperation(asRun, ctx);
          if (!compiled.ok) {
            operations.push({ ...base, table: null, refused: compiled.reason });
            continue;
          }
          const table = compiled.table;
          await wh.exec(`create or replace table ${before} as select * from ${tables[table]}`);
          for (const st of compiled.statements) await wh.exec(st.sql, st.params);
          operations.push({ ...base, table, ...(await compare(wh, before, tables[table], ROW_KEYS[table])) });
        }
        const result: PlanSamples = {
          workflowId: input.workflowId,
          runId: input.runId,
          date: input.date,
          planVersion: input.plan.version,
          computedAt: new Date().toISOString(),
          operations,
        };
        await deps.store.put(key, JSON.stringify(result));
        return { key, operations: operations.length };
      } finally {
        await drop();
      }
    },
    () => ({ date: input.date, planVersion: input.plan.version }),
  );
}

/** Counts and samples of rows that left `before` or changed, paired with their new version by key. */
async function compare(wh: Warehouse, before: string, after: string, keys: string[]) {
  const count = async (sql: string) => Number((await wh.query<{ n: number }>(sql))[0].n);
  const rowsBefore = await count(`select count(*) as n from ${before}`);
  const rowsAfter = await count(`select count(*) as n from ${after}`);
  const differing = `select * from ${before} except select * from ${after}`;
  const affected = await count(`select count(*) as n from (${differing}) as d`);
  const order = keys.join(', ');
  const old = await wh.query(`select * from (${differing}) as d order by ${order} limit ${SAMPLES_PER_OPERATION}`);
  const samples: SampleRow[] = [];
  for (const row of old) {
    const match = keys.map((k, i) => `${k} is not distinct from $k${i}`).join(' and ');
    const params = Object.fromEntries(keys.map((k, i) => [`k${i}`, plain(row[k])]));
    const [now] = await wh.query(`select * from ${after} where ${match} limit 1`, params);
    const b = readable(maskRow(row));
    const a = now ? readable(maskRow(now)) : null;
    samples.push({
      key: keys.map((k) => String(b[k])).join(' / '),
      before: b,
      after: a,
      changedColumns: a ? Object.keys(b).filter((c) => JSON.stringify(b[c]) !== JSON.stringify(a[c])) : [],
    });
  }
  const removed = Math.max(0, rowsBefore - rowsAfter);
  return { rowsBefore, rowsAfter, removed, changed: Math.max(0, affected - removed), samples };
}

/** Dates as dates, timestamps without the ISO 'T'/'Z' noise (silver timestamps are UTC). */
function readable(row: Record<string, SampleValue>): Record<string, SampleValue> {
  return Object.fromEntries(
    Object.entries(row).map(([k, v]) => [
      k,
      typeof v === 'string' && /^\d{4}-\d{2}-\d{2}T[\d:.]+Z$/.test(v)
        ? v
            .replace(/T00:00:00\.000Z$/, '')
            .replace('T', ' ')
            .replace(/\.000Z$|Z$/, '')
        : v,
    ]),
  );
}

function plain(v: unknown): string | number | boolean | null {
  if (v === null || v === undefined) return null;
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'string') return v;
  return String(v);
}
