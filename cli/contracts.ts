import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Command } from 'commander';
import { parse as parseYaml } from 'yaml';
import type { Config } from '../config/config';
import { ContractError, type ColumnRule, type SourceContract } from '../contracts/contract';
import { dryRun, fileExists } from '../contracts/dry-run';
import { odcsToSources } from '../contracts/odcs';
import { loadContracts, UnknownSourceError, type ContractSet } from '../contracts/sources';
import { CliError } from './errors';
import { print } from './output';

/**
 * `dag contracts list | show <source> | check <source> <file> | import <file.odcs.yaml>`: the
 * contracts a worker started now would load (shipped + DAG_CONTRACTS_DIR), one in detail, a dry
 * run of a local file against one (nothing is loaded), and an ODCS v3 document checked and put
 * into the contracts folder. None of them needs the worker or opens the warehouse.
 */
export function registerContractCommands(program: Command, ctx: { config(): Config }): void {
  const contracts = program.command('contracts').description('source contracts: list, show, dry-run a file, import ODCS');
  const load = (): ContractSet => {
    try {
      return loadContracts({ dir: ctx.config().contracts.dir });
    } catch (err) {
      if (err instanceof ContractError) throw new CliError(err.message);
      throw err;
    }
  };
  const source = (set: ContractSet, name: string) => {
    try {
      return set.byName(name);
    } catch (err) {
      if (err instanceof UnknownSourceError) throw new CliError(err.message);
      throw err;
    }
  };

  contracts
    .command('list')
    .description('every source: file patterns, required for a partition, quarantine threshold, contract file')
    .option('--json', 'print JSON')
    .action((opts: { json?: boolean }) => {
      const set = load();
      const rows = set.sources.map((s) => ({
        source: s.name,
        files: s.files,
        required: s.required,
        maxQuarantineRate: s.maxQuarantineRate ?? null,
        columns: s.columns.length,
        contract: s.origin ?? null,
      }));
      print(!!opts.json, rows, () =>
        [
          `${'source'.padEnd(16)} ${'required'.padEnd(8)} ${'max quarantined'.padEnd(16)} ${'files'.padEnd(32)} contract`,
          ...rows.map(
            (r) =>
              `${r.source.padEnd(16)} ${(r.required ? 'yes' : 'no').padEnd(8)} ${(r.maxQuarantineRate === null ? `default (${pct(ctx.config().quality.quarantineErrorRate)})` : pct(r.maxQuarantineRate)).padEnd(16)} ${r.files.join(' ').padEnd(32)} ${r.contract ?? ''}`,
          ),
        ].join('\n'),
      );
    });

  contracts
    .command('show <source>')
    .description('one contract: settings and every column with its rules')
    .option('--json', 'print JSON')
    .action((name: string, opts: { json?: boolean }) => {
      const s = source(load(), name);
      print(!!opts.json, describeContract(s), () => showText(s, ctx.config().quality.quarantineErrorRate));
    });

  contracts
    .command('check <source> <file>')
    .description('dry run: validate a local file against a contract without loading it')
    .option('--json', 'print JSON')
    .action(async (name: string, file: string, opts: { json?: boolean }) => {
      const s = source(load(), name);
      if (!fileExists(file)) throw new CliError(`no such file: ${file}`);
      let report;
      try {
        report = await dryRun(s, path.resolve(file));
      } catch (err) {
        throw new CliError(`cannot read ${file} as ${s.name}: ${(err as Error).message.split('\n')[0]}`);
      }
      print(!!opts.json, report, () => {
        const out = [
          `${file} against ${s.name}: ${report.rowsRead} rows read, ${report.rowsValid} valid, ${report.rowsQuarantined} would be quarantined (${report.rowsRead ? pct(report.rowsQuarantined / report.rowsRead) : '0 %'})`,
        ];
        if (!report.nameMatches)
          out.push(
            `warning: the name ${path.basename(file)} matches none of ${s.name}'s file patterns (${s.files.join(', ')}); the nightly would not pick it up`,
          );
        if (report.missingColumns.length) out.push(`missing columns: ${report.missingColumns.join(', ')}`);
        if (report.extraColumns.length) out.push(`unknown columns (kept in quarantine records only): ${report.extraColumns.join(', ')}`);
        for (const a of report.suggestedAliases)
          out.push(`suggestion: add aliases: { ${a.column}: ['${a.header}'] } — the file's ${a.header} looks like ${a.column}`);
        for (const r of report.reasons) {
          out.push(`  ${String(r.rows).padStart(7)}  ${r.reason}`);
          for (const e of r.examples) out.push(`           line ${e.line ?? '-'}: ${(e.record ?? '').slice(0, 160)}`);
        }
        return out.join('\n');
      });
    });

  contracts
    .command('import <file>')
    .description('read an Open Data Contract Standard v3 (YAML) document and put it into the contracts folder')
    .option('--to <dir>', 'contracts folder (default: DAG_CONTRACTS_DIR)')
    .option('--dry-run', 'only check and show what it becomes')
    .option('--json', 'print JSON')
    .action((file: string, opts: { to?: string; dryRun?: boolean; json?: boolean }) => {
      if (!fileExists(file)) throw new CliError(`no such file: ${file}`);
      let imported;
      try {
        imported = odcsToSources(parseYaml(fs.readFileSync(file, 'utf8')));
      } catch (err) {
        throw new CliError(`refused: ${file}: ${(err as Error).message.split('\n')[0]}`);
      }
      const dir = opts.to ?? ctx.config().contracts.dir;
      let written: string | undefined;
      if (!opts.dryRun) {
        if (!dir) throw new CliError('where to? set DAG_CONTRACTS_DIR (the folder the worker reads) or pass --to <dir>');
        fs.mkdirSync(dir, { recursive: true });
        const base = path.basename(file).replace(/(\.odcs)?\.ya?ml$/, '');
        written = path.join(dir, `${base}.odcs.yaml`);
        const bytes = fs.readFileSync(file);
        if (fs.existsSync(written) && !fs.readFileSync(written).equals(bytes))
          throw new CliError(`refused: ${written} exists with other content; remove it first`);
        fs.writeFileSync(written, bytes);
        // The folder as a whole must still load (a name may now be defined twice).
        try {
          loadContracts({ dir });
        } catch (err) {
          fs.rmSync(written);
          throw new CliError(`refused: ${(err as Error).message}`);
        }
      }
      const summary = { sources: imported.sources.map(describeContract), ignored: imported.ignored, written: written ?? null };
      print(!!opts.json, summary, () =>
        [
          ...imported.sources.map((s) => `${s.name}: ${s.columns.length} columns, key ${s.key.join(', ')}, files ${s.files.join(' ')}`),
          imported.ignored.length ? `not used here (documentation or infrastructure): ${imported.ignored.join(', ')}` : '',
          written
            ? `written to ${written}; restart the worker to load it (\`dag contracts show ${imported.sources[0].name}\` shows it now)`
            : 'dry run: nothing written',
        ]
          .filter(Boolean)
          .join('\n'),
      );
    });
}

const pct = (x: number) => `${(x * 100).toFixed(1)} %`;

export function describeContract(s: SourceContract) {
  return {
    source: s.name,
    description: s.description,
    contract: s.origin ?? null,
    files: s.files,
    format: s.format ?? 'from the file name',
    csvDelimiter: s.csv?.delimiter ?? ',',
    aliases: s.aliases,
    timeZone: s.timeZone ?? null,
    key: s.key,
    required: s.required,
    maxQuarantineRate: s.maxQuarantineRate ?? null,
    columns: s.columns.map((c) => ({ name: c.name, type: c.sqlType, rules: columnRules(c), description: c.description ?? null })),
  };
}

/** A column's rules as a reader would say them (the same rules the SQL enforces). */
export function columnRules(c: ColumnRule): string[] {
  const r: string[] = [c.nullable ? 'may be empty' : 'required'];
  if (c.default !== undefined) r.push(`default ${JSON.stringify(c.default)}`);
  if (c.sqlType === 'timestamp') r.push(c.timeZone ? `offset, or wall time in ${c.timeZone}` : c.utcOnly ? 'UTC (ends in Z)' : 'with an offset (Z or ±hh:mm)');
  if (c.sqlType === 'bigint') r.push('integer');
  if (c.enum) r.push(`one of ${c.enum.join('|')}`);
  if (c.minimum !== undefined) r.push(`≥ ${c.minimum}`);
  if (c.exclusiveMinimum !== undefined) r.push(`> ${c.exclusiveMinimum}`);
  if (c.maximum !== undefined) r.push(`≤ ${c.maximum}`);
  if (c.exclusiveMaximum !== undefined) r.push(`< ${c.exclusiveMaximum}`);
  if (c.multipleOf !== undefined) r.push(`multiple of ${c.multipleOf}`);
  if (c.minLength !== undefined) r.push(`length ≥ ${c.minLength}`);
  if (c.maxLength !== undefined) r.push(`length ≤ ${c.maxLength}`);
  // The pattern rules' reasons turned around: "does not match /x/" → "matches /x/", "not a URL" → "a URL".
  for (const p of new Set((c.patterns ?? []).map((x) => x.reason.slice(c.name.length + 2))))
    r.push(
      p
        .replace(/^does not match /, 'matches ')
        .replace(/^does not (\w+)/, '$1s')
        .replace(/^not /, ''),
    );
  if (c.json) r.push('JSON');
  return r;
}

function showText(s: SourceContract, defaultRate: number): string {
  const d = describeContract(s);
  const aliases = Object.entries(s.aliases).map(([c, a]) => `${c} ← ${a.join(', ')}`);
  const width = Math.max(...d.columns.map((c) => c.name.length), 6);
  return [
    `${s.name} — ${s.description}`,
    `  contract      ${d.contract ?? '(built in)'}`,
    `  files         ${s.files.join(', ')}  (format: ${d.format}${s.csv?.delimiter ? `, delimiter ${JSON.stringify(s.csv.delimiter)}` : ''})`,
    `  key           ${s.key.join(', ')}`,
    `  required      ${s.required ? 'yes: a partition without it is blocked (sources_present)' : 'no'}`,
    `  quarantine    blocked above ${pct(s.maxQuarantineRate ?? defaultRate)}${s.maxQuarantineRate === undefined ? ' (DAG_MAX_QUARANTINE_RATE)' : ''} of its rows (quarantine_rate)`,
    ...(s.timeZone ? [`  time zone     ${s.timeZone} (timestamps without an offset)`] : []),
    ...(aliases.length ? [`  aliases       ${aliases.join('; ')}`] : []),
    '  columns',
    ...d.columns.map((c) => `    ${c.name.padEnd(width)}  ${c.type.padEnd(9)}  ${c.rules.join(', ')}${c.description ? `  — ${c.description}` : ''}`),
  ].join('\n');
}
