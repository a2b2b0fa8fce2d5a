import { assertIdentifier } from '../../adapters/warehouse/warehouse';
import type { ActivityDeps } from '../../lib/deps';
import { renderSqlFile } from '../../lib/sql/render';
import { parseCsv } from './csv';
import { ensureMmmTables, tableExists } from './tables';
import { modelColumns } from './validate-dataset';
import { GOLD_VARIABLES, type MmmSource } from './variables';

export interface LoadedDataset {
  columns: string[];
  rows: Record<string, unknown>[];
  /** Problems only the source can see (e.g. gold weeks with fewer than 7 days of KPIs). */
  problems: string[];
}

/** A weekly dataset is small; more rows than this is not one (and is not pulled into a worker). */
export const MAX_ROWS = 5000;

/** Reads the dataset's rows for weeks starting in [from, to] from the chosen source. */
export async function loadDataset(deps: ActivityDeps, source: MmmSource, input: { from: string; to: string; country: string }): Promise<LoadedDataset> {
  if (source.kind === 'gold') return loadFromGold(deps, input);
  if (source.kind === 'table') {
    const [schema, table] = assertIdentifier(source.table).split('.');
    if (!(await tableExists(deps.warehouse, schema, table))) return { columns: [], rows: [], problems: [`table ${source.table} does not exist`] };
    const rows = await deps.warehouse.query(`select * from ${source.table} limit ${MAX_ROWS + 1}`);
    return inPeriod(rows.length ? Object.keys(rows[0]) : [], rows, source.variables.date, input);
  }
  if (!(await deps.store.exists(source.key)))
    return { columns: [], rows: [], problems: [`no object ${source.key} in the object store (${deps.store.uri(source.key)})`] };
  const csv = parseCsv((await deps.store.get(source.key)).toString('utf8'));
  return inPeriod(csv.columns, csv.rows, source.variables.date, input);
}

async function loadFromGold(deps: ActivityDeps, input: { from: string; to: string; country: string }): Promise<LoadedDataset> {
  const wh = deps.warehouse;
  await ensureMmmTables(wh);
  if (!(await tableExists(wh, 'gold', 'daily_kpis'))) {
    return { columns: [], rows: [], problems: ['gold.daily_kpis does not exist yet: run the NightlyPipeline first, or give a table or csv source'] };
  }
  const [spend] = await wh.query<{ n: number }>(
    `select count(*) as n from mmm.ad_spend where country = $country and week_start between cast($from_date as date) and cast($to_date as date)`,
    { country: input.country, from_date: input.from, to_date: input.to },
  );
  if (!Number(spend.n)) {
    const why = `no mmm.ad_spend rows for ${input.country} in ${input.from}..${input.to}: load the market's spend, or run with source {"kind": "gold", "demoSpend": true}`;
    return { columns: [], rows: [], problems: [why] };
  }
  // Revenue is in the reporting currency of the run that published each day (gold.daily_kpis.currency,
  // absent from tables published before money was converted): a model must not mix currencies.
  const [hasCurrency] = await wh.query<{ n: number }>(
    `select count(*) as n from information_schema.columns where lower(table_schema) = 'gold' and lower(table_name) = 'daily_kpis' and lower(column_name) = 'currency'`,
  );
  const currencies = Number(hasCurrency.n)
    ? await wh.query<{ c: string }>(
        `select distinct coalesce(currency, '(none)') as c from gold.daily_kpis where partition_date between cast($from_date as date) and cast($to_date as date) order by 1`,
        { from_date: input.from, to_date: input.to },
      )
    : [];
  const want = deps.config.lateData.reportingCurrency;
  if (currencies.some((r) => r.c !== want)) {
    const found = currencies.map((r) => r.c).join(', ');
    return {
      columns: [],
      rows: [],
      problems: [`gold.daily_kpis revenue of ${input.from}..${input.to} is in ${found}, not only ${want}: backfill those days in ${want}`],
    };
  }
  const rows = await wh.query(renderSqlFile('mmm/weekly_dataset.sql', wh.dialect), { from_date: input.from, to_date: input.to, country: input.country });
  const partial = rows
    .filter((r) => r.kpi_days !== null && Number(r.kpi_days) < 7)
    .map((r) => `${String(r.week_start).slice(0, 10)} (${r.kpi_days} of 7 days)`);
  const problems = partial.length
    ? [`weeks with incomplete gold.daily_kpis: ${partial.slice(0, 5).join(', ')}${partial.length > 5 ? ` and ${partial.length - 5} more` : ''}`]
    : [];
  // The SQL fixes the columns; with no rows at all, say so rather than "missing columns".
  if (!rows.length)
    return {
      columns: modelColumns(GOLD_VARIABLES),
      rows,
      problems: [`no gold.daily_kpis or mmm.ad_spend rows for ${input.country} in ${input.from}..${input.to}`],
    };
  return { columns: Object.keys(rows[0]), rows, problems };
}

function inPeriod(columns: string[], rows: Record<string, unknown>[], dateColumn: string, period: { from: string; to: string }): LoadedDataset {
  if (rows.length > MAX_ROWS) return { columns, rows: [], problems: [`more than ${MAX_ROWS} rows: not a weekly dataset`] };
  // Rows whose date cannot be read are kept, so validation names them.
  const day = (v: unknown) =>
    String(v ?? '')
      .trim()
      .slice(0, 10);
  const kept = rows.filter((r) => !/^\d{4}-\d{2}-\d{2}$/.test(day(r[dateColumn])) || (day(r[dateColumn]) >= period.from && day(r[dateColumn]) <= period.to));
  return { columns, rows: kept, problems: [] };
}
