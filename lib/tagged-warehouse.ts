import { withQueryTag } from '../adapters/warehouse';
import type { Warehouse } from '../adapters/warehouse/warehouse';
import { activityContext } from './heartbeat';

/**
 * A warehouse whose statements carry the calling activity's identity as a query tag (Snowflake
 * QUERY_TAG {"workflow": "nightly-2026-11-01", "partition": "2026-11-01", "activity": …}), read
 * from the activity context at call time, so one shared warehouse serves concurrent activities.
 * On DuckDB, which has no query tags, calls pass straight through.
 */
export function contextTagged(wh: Warehouse): Warehouse {
  if (wh.dialect !== 'snowflake') return wh;
  const scoped = (): Warehouse => {
    const info = activityContext()?.info;
    if (!info) return wh;
    const workflow = info.workflowExecution?.workflowId ?? 'unknown';
    const partition = /\d{4}-\d{2}-\d{2}/.exec(workflow)?.[0];
    return withQueryTag(wh, { workflow, partition, activity: info.activityType, runId: info.workflowExecution?.runId });
  };
  return {
    dialect: wh.dialect,
    scratchSchema: wh.scratchSchema,
    query: (sql, params) => scoped().query(sql, params),
    exec: (sql, params) => scoped().exec(sql, params),
    transaction: (fn) => scoped().transaction(fn),
    loadRawFile: (table, source, columns) => scoped().loadRawFile(table, source, columns),
    // The tagged view of the calling activity, obeying its cancellation (lib/heartbeat.ts).
    controlled: (control) => {
      const view = scoped();
      return view.controlled ? view.controlled(control) : view;
    },
    close: () => wh.close(),
  };
}
