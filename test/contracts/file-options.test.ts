import * as zlib from 'node:zlib';
import { DuckDBInstance } from '@duckdb/node-api';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import { BACKENDS, openBackend, type Backend } from '../warehouse/backends';
import { tempDataDir } from '../support/temporal';
import { ruleContract, runContract } from './support';

/**
 * A contract's file options on both warehouses: header aliases in CSV, NDJSON and Parquet, a
 * semicolon CSV dialect, gzip — the same rows land in bronze whichever way the export is spelled.
 */
const schema = z.object({ id: z.string(), client_id: z.string().min(1), amount: z.number() });
const contract = (name: string, extra = {}) => ruleContract(name, z.string(), { schema, aliases: { client_id: ['clientId', 'Client ID'] }, ...extra });

async function parquetFile(rows: string): Promise<string> {
  const file = path.join(tempDataDir('parquet-'), 'x.parquet');
  const db = await DuckDBInstance.create(':memory:');
  const c = await db.connect();
  await c.run(`copy (${rows}) to '${file}' (format parquet)`);
  c.closeSync();
  db.closeSync();
  return file;
}

describe.each(BACKENDS)('file options on %s', (name) => {
  let backend: Backend;
  beforeAll(async () => {
    backend = await openBackend(name);
  });
  afterAll(async () => backend?.stop());
  const loaded = (rows: Record<string, unknown>[]) => rows.map((r) => [r.id, r.client_id, r.amount]);

  test('CSV with an aliased header, ; as delimiter, gzip', async () => {
    const csv = 'id;Client ID;amount;note\n1;cl_1;2.5;x\n2;;3;y\n';
    const {
      bronze,
      quarantine,
      loaded: raw,
    } = await runContract(backend.warehouse, contract(`opt_csv_${name}`, { csv: { delimiter: ';' } }), 'x.csv.gz', zlib.gzipSync(csv) as never);
    expect(loaded(bronze)).toEqual([['1', 'cl_1', 2.5]]);
    expect(quarantine.map((q) => [q.line, q.reason, JSON.parse(q.raw_record!)])).toEqual([
      [3, 'client_id: missing', { id: '2', 'Client ID': null, amount: '3', note: 'y' }],
    ]);
    expect(raw.fileColumns).toEqual(['id', 'Client ID', 'amount', 'note']);
  });

  test('NDJSON: an aliased key; the declared name wins when both are there', async () => {
    const lines = ['{"id":"1","clientId":"cl_1","amount":2.5}', '{"id":"2","client_id":"cl_2","clientId":"other","amount":1}', '{"id":"3","amount":1}'];
    const { bronze, quarantine } = await runContract(backend.warehouse, contract(`opt_nd_${name}`), 'x.ndjson', lines.join('\n') + '\n');
    expect(loaded(bronze)).toEqual([
      ['1', 'cl_1', 2.5],
      ['2', 'cl_2', 1],
    ]);
    expect(quarantine.map((q) => [q.line, q.reason, q.raw_record])).toEqual([[3, 'client_id: missing', lines[2]]]);
  });

  test('Parquet: an aliased column', async () => {
    const file = await parquetFile(`select '1' as id, 'cl_1' as "clientId", 2.5 as amount union all select '2', null, 1.0`);
    const { bronze, quarantine } = await runContract(backend.warehouse, contract(`opt_pq_${name}`), 'x.parquet', fs.readFileSync(file) as never);
    expect(loaded(bronze)).toEqual([['1', 'cl_1', 2.5]]);
    expect(quarantine.map((q) => [q.line, q.reason])).toEqual([[2, 'client_id: missing']]);
    expect(JSON.parse(quarantine[0].raw_record!)).toMatchObject({ id: '2', clientId: null });
  });
});
