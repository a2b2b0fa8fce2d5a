import { ApplicationFailure } from '@temporalio/common';
import { prepareMmmDataset, type PrepareDatasetInput } from '../../activities/mmm/prepare-dataset';
import { parseCsv } from '../../activities/mmm/csv';
import { checkDataset } from '../../activities/mmm/validate-dataset';
import { mmmSource, type MmmVariables } from '../../activities/mmm/variables';
import type { ActivityDeps } from '../../lib/deps';
import { freshDeps } from '../support/fixtures';
import { DEMO_KEY, DEMO_VARIABLES, demoSource, putDemoCsv } from './support';

const V: MmmVariables = {
  date: 'week',
  depVar: 'revenue',
  depVarType: 'revenue',
  paidMediaSpends: ['tv_spend', 'search_spend'],
  contextVars: ['temp'],
  organicVars: [],
  factorVars: [],
};

/** n consecutive Mondays from 2026-01-05 with valid values; `edit` spoils some. */
function weeks(n: number, edit: (rows: Record<string, string>[]) => void = () => undefined): string {
  const rows: Record<string, string>[] = Array.from({ length: n }, (_, i) => ({
    week: new Date(Date.UTC(2026, 0, 5 + 7 * i)).toISOString().slice(0, 10),
    revenue: String(1000 + i),
    tv_spend: String(10 * i),
    search_spend: '5',
    temp: String((i % 9) - 4),
  }));
  edit(rows);
  const cols = Object.keys(rows[0]);
  return [cols.join(','), ...rows.map((r) => cols.map((c) => r[c] ?? '').join(','))].join('\n');
}
const check = (csv: string, minWeeks = 10) => {
  const { columns, rows } = parseCsv(csv);
  return checkDataset(columns, rows, V, minWeeks).problems;
};

test('a clean weekly dataset has no problems; context variables may be negative', () => {
  expect(check(weeks(12))).toEqual([]);
});

test('every problem is listed at once, each naming the column and the weeks', () => {
  const csv = weeks(9, (r) => {
    r[1].week = r[0].week; //              duplicate week
    r.splice(4, 2); //                     gap: two weeks missing
    r[4].week = '2026-02-18'; //           a Wednesday between Mondays
    r[5].week = 'last week'; //            not a date
    r[2].tv_spend = '-40'; //              negative spend
    r[3].search_spend = 'n/a'; //          not a number
    r[0].revenue = ''; //                  no KPI value
  }).replace(',temp', ',temperature');
  expect(check(csv)).toEqual([
    'missing columns: temp (has: week, revenue, tv_spend, search_spend, temperature)',
    'week: 1 values are not dates (row 6: "last week")',
    'duplicate weeks: 2026-01-05 (2 rows)',
    'weeks must be 7 days apart: 2026-02-18 is 23 days after 2026-01-26, 2026-03-02 is 12 days after 2026-02-18',
    'missing weeks (gaps): 2026-01-12', //  the duplicated week left its own week empty
    'only 5 weeks of data (2026-01-05..2026-03-02); at least 10 are needed',
    'revenue: no value in 1 week (2026-01-05)',
    'tv_spend: negative in 1 week (2026-01-19: -40)',
    'search_spend: not a number in 1 week (2026-01-26: "n/a")',
  ]);
});

test('gaps are named week by week; a channel that never spent is refused', () => {
  const csv = weeks(20, (r) => {
    r.splice(3, 7);
    for (const row of r) row.search_spend = '0';
  });
  expect(check(csv)).toEqual([
    'missing weeks (gaps): 2026-01-26, 2026-02-02, 2026-02-09, 2026-02-16, 2026-02-23 and 2 more',
    'search_spend: no spend in any week (Robyn cannot model a channel that never ran)',
  ]);
});

describe('the prepare activity', () => {
  let deps: ActivityDeps;
  beforeAll(async () => {
    deps = await freshDeps();
    await putDemoCsv(deps);
  });
  afterAll(() => deps.warehouse.close());
  const input = (over: Partial<PrepareDatasetInput>): PrepareDatasetInput => ({
    runId: 'run-1',
    from: '2016-01-04',
    to: '2019-01-06',
    country: 'DE',
    source: demoSource,
    minWeeks: 52,
    iterations: 50,
    trials: 1,
    seed: 7,
    ...over,
  });

  test('a bad CSV fails non-retryably with ONE message listing every problem, before anything is written', async () => {
    await deps.store.put(
      'mmm/uploads/bad.csv',
      weeks(30, (r) => (r[3].tv_spend = '-1')),
    );
    const err = await prepareMmmDataset(
      deps,
      input({
        runId: 'run-bad',
        from: '2026-01-05',
        to: '2026-12-31',
        source: { kind: 'csv', key: 'mmm/uploads/bad.csv', variables: { ...V, paidMediaSpends: ['tv_spend', 'radio_spend'] } },
      }),
    ).catch((e) => e);
    expect(err).toBeInstanceOf(ApplicationFailure);
    expect(err).toMatchObject({ type: 'InvalidDataset', nonRetryable: true });
    expect(err.message).toBe(
      'MMM dataset csv:mmm/uploads/bad.csv for DE 2026-01-05..2026-12-31 is not usable (3 problems): 1) missing columns: radio_spend (has: week, revenue, tv_spend, search_spend, temp); ' +
        '2) only 30 weeks of data (2026-01-05..2026-07-27); at least 52 are needed; 3) tv_spend: negative in 1 week (2026-01-26: -1)',
    );
    expect(await deps.store.list('mmm/runs/run-bad/')).toEqual([]);
  });

  test('a missing object and a missing table are named', async () => {
    await expect(prepareMmmDataset(deps, input({ source: { ...demoSource, key: 'mmm/uploads/nope.csv' } }))).rejects.toThrow(
      /1\) no object mmm\/uploads\/nope\.csv in the object store/,
    );
    await expect(prepareMmmDataset(deps, input({ source: { kind: 'table', table: 'mmm.nope', variables: DEMO_VARIABLES } }))).rejects.toThrow(
      /1\) table mmm\.nope does not exist/,
    );
  });

  test('the demo CSV is snapshotted for the period with only the model columns, plus the job config', async () => {
    const ready = await prepareMmmDataset(deps, input({ hyperparameters: { tv_S_thetas: [0.3, 0.8] } }));
    expect(ready).toMatchObject({
      weeks: 157,
      firstWeek: '2016-01-04',
      lastWeek: '2018-12-31',
      source: `csv:${DEMO_KEY}`,
      prefix: 'mmm/runs/run-1/',
      outputPrefix: 'mmm/runs/run-1/output/',
    });
    expect(ready.inputUri).toBe(deps.store.uri('mmm/runs/run-1/input.csv'));
    const snap = parseCsv((await deps.store.get(ready.inputKey)).toString());
    expect(snap.columns).toEqual([
      'DATE',
      'revenue',
      'tv_S',
      'ooh_S',
      'print_S',
      'facebook_S',
      'search_S',
      'facebook_I',
      'search_clicks_P',
      'competitor_sales_B',
      'events',
      'newsletter',
    ]);
    expect(snap.rows).toHaveLength(157);
    expect(snap.rows[0]).toMatchObject({ DATE: '2016-01-04', events: 'na' });
    expect(JSON.parse((await deps.store.get(ready.configKey)).toString())).toEqual({
      date_var: 'DATE',
      dep_var: 'revenue',
      dep_var_type: 'revenue',
      paid_media_spends: DEMO_VARIABLES.paidMediaSpends,
      paid_media_vars: DEMO_VARIABLES.paidMediaVars,
      context_vars: ['competitor_sales_B', 'events'],
      organic_vars: ['newsletter'],
      factor_vars: ['events'],
      adstock: 'geometric',
      hyperparameters: { tv_S_thetas: [0.3, 0.8] },
      iterations: 50,
      trials: 1,
      seed: 7,
      prophet_country: 'DE',
    });
  });

  test('a warehouse table is read by name; names that are not schema.table are refused by the input schema', async () => {
    const { path } = await deps.store.localCopy(DEMO_KEY);
    await deps.warehouse.exec(`create or replace table mmm.meta_weekly as select * from read_csv($p, header = true)`, { p: path });
    const ready = await prepareMmmDataset(deps, input({ runId: 'run-table', source: { kind: 'table', table: 'mmm.meta_weekly', variables: DEMO_VARIABLES } }));
    expect(ready).toMatchObject({ weeks: 157, firstWeek: '2016-01-04', source: 'table:mmm.meta_weekly' });
    const fromTable = parseCsv((await deps.store.get(ready.inputKey)).toString()).rows;
    const fromCsv = parseCsv((await deps.store.get('mmm/runs/run-1/input.csv')).toString()).rows;
    expect(fromTable.map((r) => [r.DATE, Number(r.revenue), Number(r.tv_S)])).toEqual(fromCsv.map((r) => [r.DATE, Number(r.revenue), Number(r.tv_S)]));
    for (const table of ['meta_weekly', 'mmm.meta; drop table mmm.runs', 'MMM.Meta', 'a.b.c']) {
      expect(mmmSource.safeParse({ kind: 'table', table, variables: DEMO_VARIABLES }).success).toBe(false);
    }
  });
});
