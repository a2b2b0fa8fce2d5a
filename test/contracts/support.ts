import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Row, Warehouse } from '../../adapters/warehouse/warehouse';
import { z } from 'zod';
import { defineSource, type SourceContract } from '../../contracts/contract';
import { bronzeDdl, rawLoadSpec, splitSql } from '../../contracts/validation-sql';
import { bootstrapWarehouse } from '../../lib/bootstrap';
import { renderSql } from '../../lib/sql/render';
import { tempDataDir } from '../support/temporal';

const dir = tempDataDir('contract-run-');
let seq = 0;

/**
 * Runs one contract over one file on a warehouse, the way a bronze load does (raw read → split
 * into bronze and ops.quarantine), without the object store or the audit, and returns what
 * landed where. The partition is one per call, so calls never see each other's rows.
 */
export async function runContract(wh: Warehouse, contract: SourceContract, fileName: string, body: string | Buffer) {
  seq++;
  const partition = `2026-01-${String(1 + (seq % 28)).padStart(2, '0')}`;
  const key = `landing/${partition}/${seq}-${fileName}`;
  const file = path.join(dir, `${seq}-${fileName}`);
  fs.writeFileSync(file, body);
  await bootstrapWarehouse(wh);
  await wh.exec(bronzeDdl(contract));
  const raw = `${wh.scratchSchema}.raw_rules_${seq}`;
  const vars = { raw, rejected: `${raw}_rejected` };
  const spec = rawLoadSpec(contract, fileName);
  const loaded = await wh.loadRawFile(raw, { path: file, ...spec.source }, spec.columns);
  const split = splitSql(contract, loaded);
  const params = { partition_date: partition, source_key: key };
  await wh.exec(renderSql(split.findRejected, wh.dialect, vars));
  await wh.exec(renderSql(split.toBronze, wh.dialect, vars), params);
  await wh.exec(renderSql(split.toQuarantine, wh.dialect, vars), { ...params, ...split.params });
  for (const t of Object.values(vars)) await wh.exec(`drop table if exists ${t}`);
  const bronze = await wh.query<Row>(`select * from bronze.${contract.name} where _source_key = $k order by _line`, { k: key });
  const quarantine = await wh.query<Row & { line: number; reasons: string; raw_record: string | null }>(
    `select * from ops.quarantine where source_key = $k order by line`,
    { k: key },
  );
  return { loaded, bronze, quarantine };
}

/** A one-column CSV: header `v`, one line per value ('' is an empty field). */
export const csvOf = (values: readonly string[]) =>
  ['id,v', ...values.map((v, i) => `${i + 1},${v.includes(',') || v.includes('"') ? `"${v.replace(/"/g, '""')}"` : v}`)].join('\n') + '\n';

/** A test contract with an `id` column and the column `v` under test. */
export function ruleContract(name: string, v: z.ZodType, extra: Partial<Parameters<typeof defineSource>[0]> = {}): SourceContract {
  return defineSource({ name, description: `rule test ${name}`, key: ['id'], schema: z.object({ id: z.string(), v }), ...extra });
}
