import type { Warehouse } from '../../adapters/warehouse/warehouse';

/**
 * One row per date of the partitions grid, read from the operational tables the pipeline
 * writes (ops.load_audit, ops.dq_results, ops.gold_publications, ops.pipeline_runs) and its
 * outputs (gold.attribution, ml.persona_labels, ml.drift_reports). Small by construction:
 * statuses and counts, never data rows.
 */
export type CellStatus = 'ok' | 'failed' | 'blocked' | 'warn' | 'none';

export interface Cell {
  status: CellStatus;
  detail: string;
}

export interface PartitionRow {
  date: string;
  nightly: string | null;
  bronze: Cell;
  silver: Cell;
  gold: Cell;
  attribution: Cell;
  personas: Cell & { chartPrefix?: string };
}

const NONE: Cell = { status: 'none', detail: 'not run' };

export async function readOverview(wh: Warehouse, from: string, to: string): Promise<PartitionRow[]> {
  const range = { from, to };
  const has = await existingTables(wh, [
    'ops.load_audit',
    'ops.dq_results',
    'ops.gold_publications',
    'ops.pipeline_runs',
    'gold.attribution',
    'ml.persona_labels',
    'ml.drift_reports',
  ]);
  const rows = new Map<string, PartitionRow>();
  const row = (d: string) => {
    let r = rows.get(d);
    if (!r) rows.set(d, (r = { date: d, nightly: null, bronze: NONE, silver: NONE, gold: NONE, attribution: NONE, personas: NONE }));
    return r;
  };
  const fmt = (n: unknown) => Number(n ?? 0).toLocaleString('en-US');

  if (has('ops.load_audit')) {
    // The latest attempt per file decides; skipped_same_checksum means the file is loaded already.
    const bronze = await wh.query<{ d: string; files: number; failed: number; loaded: number; quarantined: number }>(
      `select d, count(*) as files, sum(case when status = 'failed' then 1 else 0 end) as failed,
              sum(rows_loaded) as loaded, sum(rows_quarantined) as quarantined
       from (select cast(partition_date as varchar) as d, status, rows_loaded, rows_quarantined,
                    row_number() over (partition by partition_date, source_key order by loaded_at desc) as recency
             from ops.load_audit where partition_date between cast($from as date) and cast($to as date)) as a
       where recency = 1 group by d`,
      range,
    );
    for (const b of bronze)
      row(b.d).bronze = {
        status: Number(b.failed) > 0 ? 'failed' : 'ok',
        detail: `${fmt(b.files)} files${Number(b.failed) ? `, ${fmt(b.failed)} failed` : ''}; last loads: ${fmt(b.loaded)} rows, ${fmt(b.quarantined)} quarantined`,
      };
  }
  if (has('ops.dq_results')) {
    // The latest evaluation per date and stage: the rows of the run that checked last.
    const checks = await wh.query<{ d: string; stage: string; check_name: string; severity: string; status: string }>(
      `select cast(r.partition_date as varchar) as d, r.stage, r.check_name, r.severity, r.status
       from ops.dq_results r
       join (select partition_date, stage, run_id from (
               select partition_date, stage, run_id, row_number() over (partition by partition_date, stage order by checked_at desc) as recency
               from ops.dq_results where partition_date between cast($from as date) and cast($to as date)) as x
             where recency = 1) as latest
         on r.partition_date = latest.partition_date and r.stage = latest.stage and r.run_id is not distinct from latest.run_id
       order by r.check_name`,
      range,
    );
    const byStage = new Map<string, typeof checks>();
    for (const c of checks) byStage.set(`${c.d}|${c.stage}`, [...(byStage.get(`${c.d}|${c.stage}`) ?? []), c]);
    for (const [k, cs] of byStage) {
      const [d, stage] = k.split('|');
      const failing = cs.filter((c) => c.status === 'fail' && c.severity === 'blocking').map((c) => c.check_name);
      const warned = cs.filter((c) => c.status === 'warn' || (c.status === 'fail' && c.severity !== 'blocking')).map((c) => c.check_name);
      const passed = cs.filter((c) => c.status === 'pass').length;
      const cell: Cell = failing.length
        ? { status: 'failed', detail: `failing: ${failing.join(', ')}` }
        : {
            // Warnings do not block publication: the cell is green and names them.
            status: 'ok',
            detail: `${passed} of ${cs.length} checks passed${warned.length ? `; warnings: ${warned.join(', ')}` : ''}`,
          };
      if (stage === 'silver') row(d).silver = cell;
      if (stage === 'gold') row(d).gold = cell;
    }
  }
  if (has('ops.pipeline_runs')) {
    const runs = await wh.query<{ d: string; status: string }>(
      `select d, status from (select cast(partition_date as varchar) as d, status, row_number() over (partition by partition_date order by finished_at desc) as recency
         from ops.pipeline_runs where partition_date between cast($from as date) and cast($to as date)) as r where recency = 1`,
      range,
    );
    for (const r of runs) {
      row(r.d).nightly = r.status;
      const g = row(r.d).gold;
      if (r.status === 'blocked' && g.status !== 'failed') row(r.d).gold = { status: 'blocked', detail: 'not published: a blocking check failed' };
    }
  }
  if (has('ops.gold_publications')) {
    const pubs = await wh.query<{ d: string; rows_published: number; at: string }>(
      `select cast(partition_date as varchar) as d, rows_published, cast(published_at as varchar) as at from ops.gold_publications
       where partition_date between cast($from as date) and cast($to as date)`,
      range,
    );
    for (const p of pubs) row(p.d).gold = { status: 'ok', detail: `published ${p.at.slice(0, 16)} UTC, ${fmt(p.rows_published)} rows` };
  }
  if (has('gold.attribution')) {
    const attr = await wh.query<{ d: string; conversions: number }>(
      `select cast(conversion_date as varchar) as d, sum(conversions_credited) as conversions from gold.attribution
       where conversion_date between cast($from as date) and cast($to as date) and model = 'last_touch' and window_days = 30 group by conversion_date`,
      range,
    );
    for (const a of attr) row(a.d).attribution = { status: 'ok', detail: `${fmt(Math.round(Number(a.conversions)))} conversions attributed` };
  }
  if (has('ml.persona_labels')) {
    const labels = await wh.query<{ d: string; n: number; v: number }>(
      `select cast(partition_date as varchar) as d, count(*) as n, max(model_version) as v from ml.persona_labels
       where partition_date between cast($from as date) and cast($to as date) group by partition_date`,
      range,
    );
    for (const l of labels) row(l.d).personas = { status: 'ok', detail: `${fmt(l.n)} labelled with model v${l.v}` };
  }
  if (has('ml.drift_reports')) {
    const drift = await wh.query<{ d: string; is_drift: boolean; reasons: string | null; chart_prefix: string }>(
      `select d, is_drift, reasons, chart_prefix from (select cast(partition_date as varchar) as d, is_drift, reasons, chart_prefix,
         row_number() over (partition by partition_date order by created_at desc) as recency
         from ml.drift_reports where partition_date between cast($from as date) and cast($to as date)) as r where recency = 1`,
      range,
    );
    for (const x of drift) {
      const p = row(x.d).personas;
      row(x.d).personas = {
        ...p,
        status: x.is_drift ? 'warn' : p.status,
        detail: `${p.detail}; drift: ${x.is_drift ? (x.reasons ?? 'yes') : 'none'}`,
        chartPrefix: x.chart_prefix,
      };
    }
  }
  return [...rows.values()].sort((a, b) => (a.date < b.date ? 1 : -1));
}

async function existingTables(wh: Warehouse, names: string[]): Promise<(name: string) => boolean> {
  const rows = await wh.query<{ s: string; t: string }>(`select lower(table_schema) as s, lower(table_name) as t from information_schema.tables`);
  const found = new Set(rows.map((r) => `${r.s}.${r.t}`));
  return (name) => names.includes(name) && found.has(name);
}

export interface DecisionHistoryRow {
  workflowId: string;
  runId: string | null;
  version: number;
  actor: string;
  detail: string;
  at: string;
}

/** Every decision recorded for the partition's cleaning reviews (applied or ignored), newest first. */
export async function readCleaningDecisions(wh: Warehouse, date: string): Promise<DecisionHistoryRow[]> {
  const has = await existingTables(wh, ['ops.cleaning_audit']);
  if (!has('ops.cleaning_audit')) return [];
  const rows = await wh.query<{ workflow_id: string; run_id: string | null; plan_version: number; actor: string; detail: string; at: string }>(
    `select workflow_id, run_id, plan_version, actor, detail, cast(recorded_at as varchar) as at from ops.cleaning_audit
     where partition_date = cast($d as date) and kind in ('decision', 'outcome') order by recorded_at desc limit 200`,
    { d: date },
  );
  return rows.map((r) => ({ workflowId: r.workflow_id, runId: r.run_id, version: Number(r.plan_version), actor: r.actor, detail: r.detail, at: r.at }));
}

/** Decisions on persona models, newest first. */
export async function readPersonaDecisions(wh: Warehouse): Promise<DecisionHistoryRow[]> {
  const has = await existingTables(wh, ['ml.persona_decisions']);
  if (!has('ml.persona_decisions')) return [];
  const rows = await wh.query<{
    workflow_id: string;
    v: number;
    approver: string;
    decision: string;
    outcome: string;
    reason: string | null;
    why: string | null;
    at: string;
  }>(
    `select workflow_id, subject_version as v, approver, decision, outcome, reason, ignored_reason as why, cast(decided_at as varchar) as at
     from ml.persona_decisions order by decided_at desc limit 200`,
  );
  return rows.map((r) => ({
    workflowId: r.workflow_id,
    runId: null,
    version: Number(r.v),
    actor: r.approver,
    detail: `${r.decision}: ${r.outcome}${r.why ? ` (${r.why})` : ''}${r.reason ? ` — ${r.reason}` : ''}`,
    at: r.at,
  }));
}
