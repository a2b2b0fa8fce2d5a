import * as fs from 'node:fs';
import * as path from 'node:path';
import { benchIngest } from './ingest';
import { pipelineTable, type PipelineBench } from './pipeline';
import { gitRev, machine, runIsolated } from './lib';

/**
 * Runs the benchmarks and writes bench/RESULTS.md. Sizes are flags so a quick run is possible:
 *   npm run bench                       # the documented sizes (10M ingest, 1M + 10M pipeline)
 *   npm run bench -- --quick            # 1M ingest, 200k + 1M pipeline (minutes, not tens)
 * Extra sections written by other benchmarks (bench/out/section-*.md) are appended.
 */
async function main() {
  const quick = process.argv.includes('--quick');
  const ingestRows = quick ? 1_000_000 : 10_000_000;
  const pipelineRows = quick ? [200_000, 1_000_000] : [1_000_000, 10_000_000];
  const sections: string[] = [];
  sections.push(await benchIngest(ingestRows));
  const runs: PipelineBench[] = [];
  for (const rows of pipelineRows) {
    process.stderr.write(`pipeline ${rows}…\n`);
    runs.push(await runIsolated<PipelineBench>('pipeline.ts', [String(rows)]));
  }
  sections.push(pipelineTable(runs));
  const outDir = path.join(__dirname, 'out');
  for (const f of fs.readdirSync(outDir).filter((f) => /^section-.*\.md$/.test(f)).sort()) sections.push(fs.readFileSync(path.join(outDir, f), 'utf8'));
  const md = [
    '# Benchmark results',
    '',
    `Written by \`npm run bench${quick ? ' -- --quick' : ''}\` on ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC, commit ${gitRev()}.`,
    `Machine: ${machine()}. Shared build machines are noisy: compare rows of one run (side by side), not runs.`,
    '',
    ...sections,
  ].join('\n');
  fs.writeFileSync(path.join(__dirname, 'RESULTS.md'), md + '\n');
  process.stdout.write(md + '\n');
}

main().catch((err) => {
  process.stderr.write(String(err?.stack ?? err) + '\n');
  process.exit(1);
});
