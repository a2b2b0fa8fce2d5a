import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { tempDataDir } from '../support/temporal';

/**
 * The same landing file loaded by workers in two time zones (separate child processes, TZ=UTC
 * and TZ=Asia/Tokyo) gives exactly the same bronze and quarantine: nothing depends on the
 * worker's TZ, and the warehouse session runs in UTC whatever the machine says.
 */
const run = promisify(execFile);
const CHILD = path.join(__dirname, 'support/tz-load.ts');

const HEADER = 'event_id,client_id,event_type,event_ts,page_url,referrer,utm_source,utm_medium,utm_campaign,device,event_data';
const row = (id: string, ts: string) => `${id},cl_1,page_view,${ts},https://shop.example.com/,,,,,mobile,`;
const EVENTS =
  [
    HEADER,
    row('e1', '2026-03-01T03:24:57Z'),
    row('e2', '2026-03-01T03:24:57+02:00'),
    row('e3', '2026-03-01T03:24:57'),
    row('e4', '2026-03-01 03:35:57'),
    row('e5', '2026-03-01'),
  ].join('\n') + '\n';

// A source whose contract declares its zone: offset-less values are Berlin wall time, whatever the worker's TZ.
const CONTRACTS = tempDataDir('tz-contracts-');
fs.writeFileSync(
  path.join(CONTRACTS, 'shop_visits.contract.ts'),
  `import { z } from 'zod';
import { defineSource } from 'marketing-dag/contracts';
export default defineSource({ name: 'shop_visits', description: 'visits', key: ['id'], timeZone: 'Europe/Berlin', schema: z.object({ id: z.string(), at: z.iso.datetime({ offset: true }) }) });
`,
);
const VISITS = 'id,at\nv1,2026-03-01T03:24:57\nv2,2026-03-29 02:30:00\nv3,2026-03-29T03:30:00\nv4,2026-03-01T03:24:57Z\n';

async function loadUnder(tz: string, files: Record<string, string>): Promise<unknown> {
  const dir = tempDataDir(`tz-${tz.replace('/', '-')}-`);
  const pairs = Object.entries(files).flatMap(([source, body]) => {
    const file = path.join(dir, `${source}.csv`);
    fs.writeFileSync(file, body);
    return [source, file];
  });
  const { stdout } = await run(process.execPath, ['--require', require.resolve('tsx/cjs'), CHILD, path.join(dir, 'data'), '2026-03-01', ...pairs], {
    env: { ...process.env, TZ: tz, DAG_CONTRACTS_DIR: CONTRACTS },
  });
  return JSON.parse(stdout.trim().split('\n').pop()!);
}

test('bronze is identical under TZ=UTC and TZ=Asia/Tokyo; offset-less event times are quarantined', async () => {
  const [utc, tokyo] = await Promise.all([loadUnder('UTC', { events: EVENTS }), loadUnder('Asia/Tokyo', { events: EVENTS })]);
  expect(tokyo).toEqual(utc);
  const events = (utc as { events: { bronze: { _line: number; event_ts: string }[]; quarantine: { line: number; reasons: string }[] } }).events;
  expect(events.bronze).toEqual([
    { _line: 2, event_ts: '2026-03-01 03:24:57' },
    { _line: 3, event_ts: '2026-03-01 01:24:57' },
  ]);
  expect(events.quarantine.map((q) => q.line)).toEqual([4, 5, 6]);
  expect((utc as { sessionTimeZone: string }).sessionTimeZone).toBe('UTC');
});

test('a source with a declared time zone reads offset-less values there, the same under TZ=UTC and TZ=Asia/Tokyo', async () => {
  const [utc, tokyo] = await Promise.all([loadUnder('UTC', { shop_visits: VISITS }), loadUnder('Asia/Tokyo', { shop_visits: VISITS })]);
  expect(tokyo).toEqual(utc);
  expect((utc as { shop_visits: { bronze: unknown[] } }).shop_visits.bronze).toEqual([
    { _line: 2, at: '2026-03-01 02:24:57' }, // CET, UTC+1
    { _line: 3, at: '2026-03-29 01:30:00' }, // 02:30 does not exist that night (clocks jump to 03:00): read as 03:30 CEST
    { _line: 4, at: '2026-03-29 01:30:00' }, // CEST, UTC+2
    { _line: 5, at: '2026-03-01 03:24:57' },
  ]);
});
