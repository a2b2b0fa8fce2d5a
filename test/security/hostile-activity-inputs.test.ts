import * as fs from 'node:fs';
import * as path from 'node:path';
import { createActivities } from '../../activities';
import type { ActivityDeps } from '../../lib/deps';
import { freshDeps } from '../support/fixtures';
import { tempDataDir } from '../support/temporal';

/**
 * Activities are the last line before SQL and the file system. Workflows validate their inputs,
 * but an activity must also refuse hostile values (it can be scheduled by any workflow code):
 * dates, model names, sources, object keys and prefixes with `../`, quotes or SQL fragments.
 * Every case: a clear error, nothing executed, nothing outside the data dir touched.
 */
/** The data dir sits alone in its own folder, so anything written beside it shows. */
const parent = tempDataDir('hostile-');
let deps: ActivityDeps;
let acts: ReturnType<typeof createActivities>;
const INJECT = 'x; drop table ops.gold_publications; --';

beforeAll(async () => {
  deps = await freshDeps({ DAG_DATA_DIR: path.join(parent, 'data') });
  acts = createActivities(deps);
  // An object an upstream system could land under a hostile "date" folder.
  await deps.store.put(`landing/${INJECT}/events.csv`, 'event_id\n1\n');
});
afterAll(async () => deps?.warehouse.close());

async function tablesIntact(): Promise<string[]> {
  const rows = await deps.warehouse.query<{ t: string }>(
    `select table_schema || '.' || table_name as t from information_schema.tables where table_schema in ('ops', 'bronze') order by 1`,
  );
  return rows.map((r) => r.t);
}

test.each<[string, () => Promise<unknown>, RegExp]>([
  [
    'object key with ../',
    () => acts.loadBronzeFile({ date: '2026-05-01', source: 'events', key: 'landing/2026-05-01/../../../outside.csv' }),
    /"\." and "\.\." segments are not allowed/,
  ],
  ['absolute object key', () => acts.loadBronzeFile({ date: '2026-05-01', source: 'events', key: '/etc/passwd' }), /absolute keys are not allowed/],
  [
    'key outside the partition folder',
    () => acts.loadBronzeFile({ date: '2026-05-01', source: 'events', key: 'landing/2026-05-02/events.csv' }),
    /not in the landing folder of 2026-05-01/,
  ],
  [
    'SQL in a source name',
    () => acts.loadBronzeFile({ date: '2026-05-01', source: 'events; drop table bronze.events; --', key: 'landing/2026-05-01/events.csv' }),
    /unknown source/,
  ],
  [
    'SQL in a load date (an object exists there)',
    () => acts.loadBronzeFile({ date: INJECT, source: 'events', key: `landing/${INJECT}/events.csv` }),
    /not a partition date/,
  ],
  ['SQL in a gold build date', () => acts.buildModel({ date: INJECT, layer: 'gold', model: 'daily_kpis' }), /not a partition date/],
  ['SQL in a publish date', () => acts.publishGold({ date: INJECT }), /not a partition date/],
  ['SQL in a discard date', () => acts.discardStagedGold({ date: INJECT }), /not a partition date/],
  [
    'model name with ../ reaching a .sql file outside sql/',
    () => acts.buildModel({ date: '2026-05-01', layer: 'gold', model: '../../test/corpus/evil-model' }),
    /unknown gold model/,
  ],
  [
    'model name with quotes',
    () => acts.buildModel({ date: '2026-05-01', layer: 'silver', model: `sessions"; drop table ops.quarantine; --` }),
    /unknown silver model/,
  ],
  ['layer with ../', () => acts.planModels({ layer: '../../test/corpus' as never }), /unknown layer/],
  ['listing prefix with ../', () => acts.listLandingFiles({ date: '../..' }), /segments are not allowed/],
  ['SQL in a run record date', () => acts.recordPipelineRun({ date: "'; DROP TABLE x; --", status: 'failed', summary: 'x' }), /^SqlError|Conversion Error/],
])('%s is refused with a clear error and executes nothing', async (_case, call, message) => {
  const before = await tablesIntact();
  const err = (await call().then(
    () => undefined,
    (e: Error) => e,
  )) as Error | undefined;
  expect(err).toBeInstanceOf(Error);
  expect(err!.message).toMatch(message);
  expect(await tablesIntact()).toEqual(before);
  expect(before).toEqual(expect.arrayContaining(['ops.gold_publications', 'ops.quarantine', 'bronze.events']));
});

test('nothing was written outside the data dir, and only the landed object inside the store', () => {
  expect(fs.readdirSync(parent)).toEqual(['data']);
  const files = (fs.readdirSync(path.join(parent, 'data', 'objects'), { recursive: true }) as string[]).filter((f) =>
    fs.statSync(path.join(parent, 'data', 'objects', f)).isFile(),
  );
  expect(files).toEqual([`landing/${INJECT}/events.csv`]);
});
