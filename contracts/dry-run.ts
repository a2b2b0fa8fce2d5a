import * as fs from 'node:fs';
import * as path from 'node:path';
import { DuckDbWarehouse } from '../adapters/warehouse/duckdb/duckdb-warehouse';
import { renderSql, statements, renderSqlFile } from '../lib/sql/render';
import type { SourceContract } from './contract';
import { contractSet } from './sources';
import { bronzeDdl, fileColumnReport, rawLoadSpec, splitSql } from './validation-sql';

/**
 * `dag contracts check <source> <file>`: what a bronze load of a local file would do — the same
 * raw read and the same contract SQL, in a throw-away in-memory DuckDB — without touching the
 * warehouse or the landing area. Reports counts, the first rows per reason, the columns the file
 * lacks or adds, and an alias to add when a header looks like a declared column (clientId →
 * client_id).
 */
export interface DryRunReport {
  source: string;
  file: string;
  /** Whether the file's name matches the source's `files` patterns (else the nightly would not pick it up). */
  nameMatches: boolean;
  rowsRead: number;
  rowsValid: number;
  rowsQuarantined: number;
  /** Per primary reason: how many rows, and the first few lines with their record as read. */
  reasons: { reason: string; rows: number; examples: { line: number | null; record: string | null }[] }[];
  missingColumns: string[];
  extraColumns: string[];
  /** Headers that look like a declared column that the file lacks: add them to the contract's aliases. */
  suggestedAliases: { header: string; column: string }[];
}

export async function dryRun(contract: SourceContract, file: string): Promise<DryRunReport> {
  const wh = await DuckDbWarehouse.open({ path: ':memory:', threads: 1 });
  try {
    for (const stmt of statements(renderSqlFile('ops/ops_tables.sql', wh.dialect))) await wh.exec(stmt);
    await wh.exec(bronzeDdl(contract));
    const name = path.basename(file);
    const spec = rawLoadSpec(contract, name);
    const raw = 'scratch.dry_run';
    const vars = { raw, rejected: `${raw}_rejected` };
    const loaded = await wh.loadRawFile(raw, { path: file, ...spec.source }, spec.columns);
    const split = splitSql(contract, loaded);
    const params = { partition_date: '2000-01-01', source_key: file };
    await wh.exec(renderSql(split.findRejected, wh.dialect, vars));
    await wh.exec(renderSql(split.toBronze, wh.dialect, vars), params);
    await wh.exec(renderSql(split.toQuarantine, wh.dialect, vars), { ...params, ...split.params });
    const [valid] = await wh.query<{ n: number }>(`select count(*) as n from bronze.${contract.name}`);
    const reasons = await wh.query<{ reason: string; n: number }>(
      `select reason, count(*) as n from ops.quarantine group by reason order by n desc, reason limit 20`,
    );
    const examples = await wh.query<{ reason: string; line: number | null; raw_record: string | null }>(
      `select reason, line, raw_record from (select reason, line, raw_record, row_number() over (partition by reason order by line) as k from ops.quarantine) where k <= 3 order by line`,
    );
    const { missingColumns, extraColumns } = fileColumnReport(contract, loaded);
    return {
      source: contract.name,
      file,
      nameMatches: contractSet([contract]).matchFile(name).source !== undefined,
      rowsRead: loaded.rows,
      rowsValid: Number(valid.n),
      rowsQuarantined: reasons.reduce((s, r) => s + Number(r.n), 0),
      reasons: reasons.map((r) => ({
        reason: r.reason,
        rows: Number(r.n),
        examples: examples.filter((e) => e.reason === r.reason).map((e) => ({ line: e.line === null ? null : Number(e.line), record: e.raw_record })),
      })),
      missingColumns,
      extraColumns,
      suggestedAliases: suggestAliases(missingColumns, extraColumns),
    };
  } finally {
    await wh.close();
  }
}

/** clientId, Client-ID, CLIENT_ID → client_id: the same letters and digits, ignoring case and separators. */
export function suggestAliases(missing: readonly string[], extra: readonly string[]): { header: string; column: string }[] {
  const norm = (s: string) => s.toLowerCase().replace(/[^a-z0-9]/g, '');
  return extra.flatMap((header) => {
    const column = missing.find((m) => norm(m) === norm(header));
    return column ? [{ header, column }] : [];
  });
}

export const fileExists = (file: string) => fs.existsSync(file) && fs.statSync(file).isFile();
