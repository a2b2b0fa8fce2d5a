import * as fs from 'node:fs';
import * as path from 'node:path';
import { NightlyPipeline } from '../../workflows';
import type { WorkflowHandle } from '@temporalio/client';
import type { Row } from '../../adapters/warehouse/warehouse';
import { PipelineStatus } from '../../workflows/shared/search-attributes';
import { binaryCorpus } from '../corpus/binary-cases';
import { createTestEnv, tempDataDir, type TestEnv, type TestWorker } from '../support/temporal';
import { scaled } from '../support/time';

/**
 * The bad-input corpus (test/corpus/landing + binary-cases.ts) landed as one partition and run
 * through NightlyPipeline on a real worker: every file gets a clear status or quarantine entry,
 * every valid row of every file is loaded, SQL in values stays data, the worker survives, and
 * nothing outside the data dir is touched. (Raw-reader details: test/ingest/raw-load.test.ts.)
 */
const DATE = '2026-05-01';
const CORPUS = path.resolve(__dirname, '../corpus/landing');
const parent = tempDataDir('corpus-');
let env: TestEnv;
let w: TestWorker;
let handle: WorkflowHandle;
let files: string[];

// file → [status, rows loaded, quarantine entries, what each entry's reason says]. An unreadable
// file loads nothing and is itself one quarantine entry (line null).
const EXPECTED: Record<string, [string, number, number, RegExp | null]> = {
  'events-bom.csv': ['loaded', 3, 1, /^client_id: missing$/],
  'events-unbalanced-quote.csv': ['loaded', 3, 1, /^unparsable line: UNBALANCED QUOTE: a quote opened on this line is not closed on it/],
  'events-unbalanced-quotes-closed-later.csv': ['loaded', 7, 2, /^unparsable line: UNBALANCED QUOTE: a quote opened on this line is not closed on it/],
  'events-stray-quote-closed-cleanly.csv': ['loaded', 2, 1, /^event_ts: not a valid timestamp$/],
  'events-header-unbalanced-quote.csv': ['failed', 0, 1, /^unreadable csv file: the header line has an unbalanced quote$/],
  'events-semicolon.csv': ['loaded', 0, 2, /^event_id: column not in the file; client_id: column not in the file/],
  'events-embedded-newline.csv': ['loaded', 3, 1, /^client_id: missing$/],
  'events-zero-byte.csv': ['loaded', 0, 0, null],
  'events-header-only.csv': ['loaded', 0, 0, null],
  'events-extra-column.csv': ['loaded', 2, 0, null],
  'events-missing-columns.csv': ['loaded', 2, 0, null],
  'events-sql-fragments.csv': ['loaded', 2, 0, null],
  'events-invalid-utf8.csv': ['loaded', 2, 1, /INVALID ENCODING/],
  'events-long-field.csv': ['loaded', 2, 1, /^page_url: longer than 2048$/],
  'customers-truncated.csv.gz': ['failed', 0, 1, /^unreadable csv\.gz file: truncated or corrupt gzip/],
  'order_items-wrong-schema.parquet': ['loaded', 0, 3, /^line_no: column not in the file; sku: column not in the file; quantity: column not in the file$/],
  'orders-broken-lines.ndjson': ['loaded', 2, 4, /not valid JSON|revenue: not a valid double/],
};

beforeAll(async () => {
  fs.writeFileSync(path.join(parent, 'sentinel.txt'), 'untouched');
  env = await createTestEnv();
  w = await env.makeWorker({ env: { DAG_DATA_DIR: path.join(parent, 'data') } });
  const landed: Record<string, Buffer> = {
    ...Object.fromEntries(fs.readdirSync(CORPUS).map((f) => [f, fs.readFileSync(path.join(CORPUS, f))])),
    ...(await binaryCorpus(tempDataDir('corpus-bin-'))),
  };
  files = Object.keys(landed);
  for (const [f, body] of Object.entries(landed)) await w.deps.store.put(`landing/${DATE}/${f}`, body);
  handle = await env.client.workflow.start(NightlyPipeline, { taskQueue: w.taskQueue, workflowId: `corpus-${Date.now()}`, args: [{ date: DATE }] });
  // The run goes on to silver, checks and (blocked) maybe a cleaning review; the loads are what is under test.
  await until(async () => Number((await q<{ n: number }>(`select count(*) as n from ops.load_audit`))[0].n) === files.length);
});
afterAll(async () => {
  await handle?.terminate('test over').catch(() => undefined);
  await w?.close();
  await env?.close();
});

const q = <T extends Row = Row>(sql: string, params = {}) => w.deps.warehouse.query<T>(sql, params);
async function until(ok: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  for (const deadline = Date.now() + scaled(timeoutMs); !(await ok()); await new Promise((r) => setTimeout(r, 200))) {
    if (Date.now() > deadline) throw new Error('timed out');
  }
}
/** The load of each file as the workflow recorded it (ops.load_audit: one row per attempt that finished). */
const load = async (file: string) =>
  (
    await q<{ status: string; loaded: number; quarantined: number; message: string | null }>(
      `select status, rows_loaded as loaded, rows_quarantined as quarantined, message from ops.load_audit where source_key = $k`,
      { k: `landing/${DATE}/${file}` },
    )
  )[0];

test.each(Object.entries(EXPECTED))(
  '%s: status, loaded and quarantined rows as expected, with a clear reason',
  async (file, [status, loaded, quarantined, reason]) => {
    const l = await load(file);
    expect({ status: l.status, loaded: Number(l.loaded), quarantined: status === 'failed' ? quarantined : Number(l.quarantined) }).toEqual({
      status,
      loaded,
      quarantined,
    });
    const reasons = await q<{ reasons: string }>(`select reasons from ops.quarantine where source_key = $k order by line`, { k: `landing/${DATE}/${file}` });
    expect(reasons).toHaveLength(quarantined);
    for (const r of reasons) expect(r.reasons).toMatch(reason!);
  },
);

test('every valid row of every file is in bronze, exactly once', async () => {
  const ids = await q<{ event_id: string }>(`select event_id from bronze.events where _partition_date = date '${DATE}' order by event_id`);
  expect(ids.map((r) => r.event_id)).toEqual([
    'bom1',
    'bom2',
    'bom4',
    'f1',
    'f3',
    'i1',
    'i2',
    'l1',
    'l3',
    'm1',
    'm2',
    'n1',
    'n2',
    'n3',
    'q1',
    'q3',
    'q4',
    's1',
    's5',
    'u1',
    'u2',
    'u3',
    'u5',
    'u6',
    'u7',
    'u9',
    'x1',
    'x2',
  ]);
  expect((await q<{ order_id: string }>(`select order_id from bronze.orders order by 1`)).map((r) => r.order_id)).toEqual(['o1', 'o5']);
  const [n2] = await q<{ referrer: string }>(`select referrer from bronze.events where event_id = 'n2'`);
  expect(n2.referrer).toBe('https://ref.example.com/line one\nline two');
  const [l3] = await q<{ page_url: string }>(`select page_url from bronze.events where event_id = 'l3'`);
  expect(l3.page_url).toBe('https://shop.example.com/café');
});

test('column problems are named in the load result', async () => {
  const msg = async (f: string) => (await load(f)).message;
  expect(await msg('events-extra-column.csv')).toBe('extra columns ignored: loyalty_tier');
  expect(await msg('events-missing-columns.csv')).toBe('missing columns: page_url, referrer, utm_source, utm_medium, utm_campaign, device, event_data');
  expect(await msg('order_items-wrong-schema.parquet')).toBe('missing columns: line_no, sku, quantity; extra columns ignored: line, qty');
  expect(await msg('events-semicolon.csv')).toMatch(/^missing columns: event_id, .*; extra columns ignored: event_id;client_id;/);
});

test('SQL and paths inside values are stored as data; nothing was executed', async () => {
  const [i1] = await q(`select client_id, page_url, utm_source, event_data from bronze.events where event_id = 'i1'`);
  expect(i1).toEqual({
    client_id: "c'); drop table bronze.events; --",
    page_url: "https://shop.example.com/?q=1' or '1'='1",
    utm_source: "'; DROP TABLE x; --",
    event_data: '{"sql": "select 1; drop schema ops cascade"}',
  });
  const [i2] = await q(`select client_id, page_url from bronze.events where event_id = 'i2'`);
  expect(i2).toEqual({ client_id: 'c$partition_date', page_url: '../../../etc/passwd' });
  const tables = await q<{ n: number }>(`select count(*) as n from information_schema.tables where table_schema in ('ops', 'bronze')`);
  expect(Number(tables[0].n)).toBeGreaterThanOrEqual(9);
});

test('an unbalanced quote quarantines its own line, with its text and line number; the lines after it are loaded on theirs', async () => {
  const quarantined = async (file: string) =>
    q<{ line: number; raw_record: string }>(`select line, raw_record from ops.quarantine where source_key = $k order by line`, {
      k: `landing/${DATE}/${file}`,
    });
  const lines = async (prefix: string) =>
    (await q<{ event_id: string; _line: number }>(`select event_id, _line from bronze.events where event_id like $p order by _line`, { p: `${prefix}%` })).map(
      (r) => [r.event_id, Number(r._line)],
    );
  expect(await quarantined('events-unbalanced-quote.csv')).toEqual([
    { line: 3, raw_record: 'q2,cq2,page_view,2026-05-01T10:00:00Z,"https://shop.example.com/unbalanced,,,,,mobile,' },
  ]);
  expect(await lines('q')).toEqual([
    ['q1', 2],
    ['q3', 4],
    ['q4', 5],
  ]);
  // Line 5's quote is closed by the JSON on line 7 (DuckDB alone rejects lines 5-7 as one record); line 9's runs to the end.
  expect(await quarantined('events-unbalanced-quotes-closed-later.csv')).toEqual([
    { line: 5, raw_record: 'u4,cu4,page_view,"2026-05-01T10:15:00Z,https://shop.example.com/,,,,,mobile,' },
    { line: 9, raw_record: 'u8,cu8,page_view,2026-05-01T10:35:00Z,"https://shop.example.com/,,,,,mobile,' },
  ]);
  expect(await lines('u')).toEqual([
    ['u1', 2],
    ['u2', 3],
    ['u3', 4],
    ['u5', 6],
    ['u6', 7],
    ['u7', 8],
    ['u9', 10],
  ]);
});

test('a stray quote closed cleanly by a later one is valid CSV: the lines between are quarantined inside that record, not dropped', async () => {
  const [row] = await q<{ line: number; raw_record: string }>(`select line, raw_record from ops.quarantine where source_key = $k`, {
    k: `landing/${DATE}/events-stray-quote-closed-cleanly.csv`,
  });
  expect(Number(row.line)).toBe(3);
  expect(JSON.parse(row.raw_record).event_ts).toBe(
    '2026-05-01T10:00:00Z,https://shop.example.com/,,,,,mobile,\ns3,cs3,page_view,2026-05-01T10:00:00Z,https://shop.example.com/,,,,,mobile,\ns4,cs4,page_view,2026-05-01T10:00:00Z',
  );
});

test('the worker survived the corpus and nothing outside the data dir was touched', async () => {
  // The same worker carried the run on past the corpus: silver was built and the checks decided.
  await until(async () => ['blocked', 'succeeded'].includes((await handle.describe()).typedSearchAttributes.get(PipelineStatus) ?? ''));
  expect(w.worker.getState()).toBe('RUNNING');
  expect(fs.readdirSync(parent).sort()).toEqual(['data', 'sentinel.txt']);
  expect(fs.readFileSync(path.join(parent, 'sentinel.txt'), 'utf8')).toBe('untouched');
});
