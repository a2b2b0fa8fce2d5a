import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { benchIngest } from './ingest';
import { pipelineTable, type PipelineBench } from './pipeline';
import { OUT, gitRev, machine, runIsolated } from './lib';

/**
 * Runs the benchmarks and writes bench/RESULTS.md from the sections in bench/out/section-*.md:
 *   npm run bench                       # core: 10M ingest, 1M + 10M pipeline; then components
 *   npm run bench -- --quick            # core at 1M ingest, 200k + 1M pipeline
 *   npm run bench -- --skip-core        # keep the last core section, rerun the components
 *   npm run bench -- --no-components    # core only
 * Components: attribution (1M sessions / 100k conversions), personas (label 1M, drift 1M vs 1M),
 * Robyn runner (test settings), and any section another benchmark wrote (e.g. bench/load.ts).
 */
const COMPONENTS: [name: string, script: string, args: string[]][] = [
  ['attribution', 'attribution.ts', []],
  ['personas', 'personas.ts', []],
  ['robyn', 'robyn.ts', []],
];

async function main() {
  const args = process.argv.slice(2);
  const quick = args.includes('--quick');
  if (!args.includes('--skip-core')) {
    const sections = [await benchIngest(quick ? 1_000_000 : 10_000_000)];
    const runs: PipelineBench[] = [];
    for (const rows of quick ? [200_000, 1_000_000] : [1_000_000, 10_000_000]) {
      process.stderr.write(`pipeline ${rows}…\n`);
      runs.push(await runIsolated<PipelineBench>('pipeline.ts', [String(rows)]));
    }
    sections.push(pipelineTable(runs));
    fs.writeFileSync(path.join(OUT, 'section-00-core.md'), `${sections.join('\n')}\n_Core figures: ${stamp(quick)}._\n`);
  }
  if (!args.includes('--no-components')) {
    for (const [name, script, extra] of COMPONENTS) {
      process.stderr.write(`component ${name}…\n`);
      const r = spawnSync(process.execPath, ['--require', require.resolve('tsx/cjs'), path.join(__dirname, script), ...extra], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'inherit'],
        timeout: 30 * 60_000,
      });
      const body = r.status === 0 ? r.stdout.trim() : `not measured: ${script} exited ${r.status ?? r.signal}`;
      fs.writeFileSync(path.join(OUT, `section-${name}.md`), `### ${title(name)}\n\n${body}\n\n_${stamp(false)}._\n`);
    }
  }
  const sections = fs
    .readdirSync(OUT)
    .filter((f) => /^section-.*\.md$/.test(f))
    .sort()
    .map((f) => fs.readFileSync(path.join(OUT, f), 'utf8'));
  const md = [
    '# Benchmark results',
    '',
    `Machine: ${machine()}.`,
    'Shared build machines are noisy: compare rows measured in one run (side by side), not runs.',
    '',
    ...sections,
  ].join('\n');
  fs.writeFileSync(path.join(__dirname, 'RESULTS.md'), md + '\n');
  process.stdout.write(md + '\n');
}

function stamp(quick: boolean): string {
  return `\`npm run bench${quick ? ' -- --quick' : ''}\`, ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC, commit ${gitRev()}`;
}

function title(name: string): string {
  return { attribution: 'Attribution: all six models + window summary', personas: 'Personas: labelling and drift', robyn: 'Robyn runner' }[name] ?? name;
}

main().catch((err) => {
  process.stderr.write(String(err?.stack ?? err) + '\n');
  process.exit(1);
});
