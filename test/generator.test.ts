import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { generateDay } from '../generator/demo-data';
import { tempDataDir } from './support/temporal';

const digest = (dir: string) =>
  Object.fromEntries(
    fs
      .readdirSync(dir)
      .sort()
      .map((f) => [
        f,
        crypto
          .createHash('sha256')
          .update(fs.readFileSync(path.join(dir, f)))
          .digest('hex'),
      ]),
  );

test('same seed and date give the same bytes; another seed or date does not', async () => {
  const opts = { date: '2026-11-01', rows: 3000, seed: 5, anomalies: true };
  const [a, b, c, d] = [tempDataDir(), tempDataDir(), tempDataDir(), tempDataDir()];
  const ma = await generateDay(a, opts);
  const mb = await generateDay(b, opts);
  await generateDay(c, { ...opts, seed: 6 });
  await generateDay(d, { ...opts, date: '2026-11-02' });
  expect(digest(a)).toEqual(digest(b));
  expect(ma).toEqual(mb);
  expect(digest(c)['events.csv']).not.toEqual(digest(a)['events.csv']);
  expect(digest(d)['events.csv']).not.toEqual(digest(a)['events.csv']);
});

test('rows scales the event count and clean data has no anomalies', async () => {
  const m = await generateDay(tempDataDir(), { date: '2026-11-01', rows: 10_000, seed: 1, anomalies: false });
  const events = m.files.find((f) => f.source === 'events')!;
  expect(events.rows).toBeGreaterThanOrEqual(10_000);
  expect(events.rows).toBeLessThan(10_050);
  expect(Object.values(m.anomalies).every((n) => n === 0)).toBe(true);
  const orders = m.files.find((f) => f.source === 'orders')!.rows;
  expect(orders / events.rows).toBeGreaterThan(0.01);
  expect(orders / events.rows).toBeLessThan(0.1);
});
