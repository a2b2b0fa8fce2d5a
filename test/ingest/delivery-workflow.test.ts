import * as fs from 'node:fs';
import * as path from 'node:path';
import { Command } from 'commander';
import { Client, Connection } from '@temporalio/client';
import { registerLandingCommands } from '../../cli/landing';
import { registerRunCommands } from '../../cli/run';
import type { LocalObjectStore } from '../../adapters/object-store/local/local-object-store';
import { NightlyPipeline, type NightlyResult } from '../../workflows/nightly-pipeline';
import { nightlyWorkflowId } from '../../workflows/shared/names';
import { contentBytes } from '../history/data';
import { createTestEnv, type TestEnv, type TestWorker } from '../support/temporal';

/**
 * The delivery rule through NightlyPipeline and the `dag` CLI: an unreadable object blocks the
 * day and every report names it (run summary, `dag status`); `acceptPartial` publishes the rest
 * on purpose; an emptied landing folder keeps bronze until `dag landing retract` withdraws it.
 */
let env: TestEnv;
let w: TestWorker;
beforeAll(async () => {
  env = await createTestEnv();
  w = await env.makeWorker();
});
afterAll(async () => {
  await w?.close();
  await env?.close();
});

const put = (date: string, name: string, bytes: Buffer) => w.deps.store.put(`landing/${date}/${name}`, bytes);
/** A self-contained day: no visit from the day before, no late order, every order in EUR (no FX rate needed). */
async function deliver(date: string, extra: Record<string, Buffer> = {}) {
  await put(date, 'events.csv', contentBytes({ source: 'events', date, variant: 2, rows: 12, shape: 'rows', firstDay: true }, 'events.csv'));
  await put(date, 'orders.ndjson', contentBytes({ source: 'orders', date, variant: 2, rows: 3, shape: 'rows', firstDay: true }, 'orders.ndjson'));
  for (const [name, bytes] of Object.entries(extra)) await put(date, name, bytes);
}
const nightly = (date: string, extra: object = {}) =>
  env.client.workflow.execute(NightlyPipeline, { taskQueue: w.taskQueue, workflowId: nightlyWorkflowId(date), args: [{ date, review: false, ...extra }] });

/** Runs `dag …` against the test server; returns what it printed. */
async function dag(...args: string[]): Promise<string> {
  const p = new Command('dag').exitOverride();
  const ctx = { config: () => w.config, client: async () => new Client({ connection: await Connection.connect({ address: env.address }) }) };
  registerRunCommands(p, ctx);
  registerLandingCommands(p, ctx);
  const out: string[] = [];
  const write = jest.spyOn(process.stdout, 'write').mockImplementation((s) => (out.push(String(s)), true));
  try {
    await p.parseAsync(['node', 'dag', ...args]);
  } finally {
    write.mockRestore();
  }
  return out.join('');
}

test('an unreadable object blocks the day and is named in the summary and by `dag status`; acceptPartial publishes the rest', async () => {
  const date = '2026-02-10';
  const truncated = contentBytes({ source: 'events', date, variant: 2, rows: 20, shape: 'truncated_gzip' }, 'events-2.csv.gz');
  await deliver(date, { 'events-2.csv.gz': truncated });
  const blocked = await nightly(date);
  const reason = 'unreadable csv.gz file: truncated or corrupt gzip: unexpected end of file';
  expect(blocked.status).toBe('blocked');
  expect(blocked.blocked).toEqual({ stage: 'silver', failedChecks: ['files_failed'] });
  expect(blocked.failedFiles).toEqual([{ key: `landing/${date}/events-2.csv.gz`, reason }]);
  expect(blocked.summary).toContain(`1 file FAILED to load: landing/${date}/events-2.csv.gz (${reason})`);
  expect(blocked.summary).toContain('FAILED files_failed');
  expect(await dag('status', nightlyWorkflowId(date))).toContain(`landing/${date}/events-2.csv.gz (${reason})`);

  const partial = JSON.parse(await dag('run', 'nightly', '--date', date, '--accept-partial', '--wait', '--json')) as NightlyResult;
  expect(partial.status).toBe('succeeded');
  expect(partial.checks[0].warnings).toContain('files_failed');
  expect(partial.layers.gold!.published).toContain('daily_kpis');
  expect(partial.summary).toContain(`1 file FAILED to load: landing/${date}/events-2.csv.gz`);
});

test('an emptied landing folder keeps the day; `dag landing retract` withdraws it and the date is rebuilt without it', async () => {
  const date = '2026-02-12';
  await deliver(date);
  expect((await nightly(date)).status).toBe('succeeded');
  fs.rmSync(path.join((w.deps.store as LocalObjectStore).root, 'landing', date), { recursive: true });
  const kept = await nightly(date);
  expect(kept.status).toBe('succeeded');
  expect(kept.layers.bronze).toMatchObject({ rows: 15, files: 2 });
  expect(kept.summary).toContain(`landing/${date}/ is empty: bronze kept as loaded (15 rows from 2 objects)`);

  const withdrawn = JSON.parse(await dag('landing', 'retract', date, '--wait', '--json')) as NightlyResult;
  expect(withdrawn.retracted).toEqual([
    { key: `landing/${date}/events.csv`, rows: 12 },
    { key: `landing/${date}/orders.ndjson`, rows: 3 },
  ]);
  expect(withdrawn.layers.bronze).toMatchObject({ rows: 0, files: 0 });
  expect(withdrawn.status).toBe('blocked');
  expect(withdrawn.blocked?.failedChecks).toContain('sources_present');
  const audit = await w.deps.warehouse.query<{ status: string; n: number }>(
    `select status, count(*) as n from ops.load_audit where partition_date = date '${date}' group by 1 order by 1`,
  );
  expect(audit.map((a) => [a.status, Number(a.n)])).toEqual([
    ['kept_unlisted', 2],
    ['loaded', 2],
    ['retracted', 2],
  ]);
  await expect(dag('landing', 'retract', date, '--key', 'landing/2026-02-13/events.csv')).rejects.toThrow(
    '--key "landing/2026-02-13/events.csv" is not an object of landing/2026-02-12/',
  );
  // Like `dag run nightly`, refused before anything starts.
  await expect(dag('landing', 'retract', '1999-12-31')).rejects.toThrow('partition date 1999-12-31 is outside the accepted range');
});
