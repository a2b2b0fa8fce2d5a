import * as fs from 'node:fs';
import * as path from 'node:path';
import { generateDay } from '../generator/demo-data';
import { OUT, fmtInt, fmtS, runIsolated } from './lib';

interface VariantResult {
  variant: string;
  rows: number;
  wallMs: number;
  peakRssMb: number;
}

/**
 * Issue 2's benchmark: ingest + validate + bronze load of a generated N-event CSV, side by side
 * with DuckDB's raw load and the naive row-by-row path. `--rows 10000000` (default).
 */
export async function benchIngest(rows: number): Promise<string> {
  const dir = path.join(OUT, `ingest-${rows}`);
  const csv = path.join(dir, 'events.csv');
  if (!fs.existsSync(csv)) {
    process.stderr.write(`generating ${fmtInt(rows)} events…\n`);
    await generateDay(dir, { date: '2026-11-01', rows, seed: 1, anomalies: true });
  }
  const size = fs.statSync(csv).size;
  const results: VariantResult[] = [];
  for (const variant of ['raw', 'validated', 'naive']) {
    process.stderr.write(`ingest ${variant}…\n`);
    results.push(await runIsolated<VariantResult>('ingest-variant.ts', [variant, csv, path.join(dir, `work-${variant}`)]));
  }
  const by = Object.fromEntries(results.map((r) => [r.variant, r]));
  const rate = (r: VariantResult) => r.rows / (r.wallMs / 1000);
  const lines = [
    `### Ingest + validate + bronze load: ${fmtInt(by.raw.rows)} events, ${(size / 1048576).toFixed(0)} MB CSV`,
    '',
    '| path | wall s | rows/s | peak RSS MB |',
    '|---|---:|---:|---:|',
    ...results.map((r) => `| ${r.variant} | ${fmtS(r.wallMs)} | ${fmtInt(rate(r))} | ${r.peakRssMb} |`),
    '',
    `Validated load speed = **${(rate(by.validated) / rate(by.raw)).toFixed(2)} ×** DuckDB's raw load (goal ≥ 0.5) and **${(rate(by.validated) / rate(by.naive)).toFixed(1)} ×** the row-by-row path (goal ≥ 10); peak RSS ${by.validated.peakRssMb} MB (goal < 2048).`,
    '',
    // The two speed goals bound each other: the validated load writes the same rows as the raw load.
    `On this file DuckDB's own raw load is ${(rate(by.raw) / rate(by.naive)).toFixed(1)} × the row-by-row path, so ≥ 10 × row-by-row would need a validated load ${(10 / (rate(by.raw) / rate(by.naive))).toFixed(1)} × faster than DuckDB's raw load of the same file.`,
    '',
  ];
  return lines.join('\n');
}

if (require.main === module) {
  const rows = Number(process.argv[process.argv.indexOf('--rows') + 1] || 10_000_000);
  void benchIngest(process.argv.includes('--rows') ? rows : 10_000_000).then((md) => process.stdout.write(md + '\n'));
}
