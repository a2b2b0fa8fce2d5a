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

async function loadUnder(tz: string, files: Record<string, string>): Promise<unknown> {
  const dir = tempDataDir(`tz-${tz.replace('/', '-')}-`);
  const pairs = Object.entries(files).flatMap(([source, body]) => {
    const file = path.join(dir, `${source}.csv`);
    fs.writeFileSync(file, body);
    return [source, file];
  });
  const { stdout } = await run(process.execPath, ['--require', require.resolve('tsx/cjs'), CHILD, path.join(dir, 'data'), '2026-03-01', ...pairs], {
    env: { ...process.env, TZ: tz },
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
