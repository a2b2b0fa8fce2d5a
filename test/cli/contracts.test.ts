import * as fs from 'node:fs';
import * as path from 'node:path';
import { Command } from 'commander';
import { registerContractCommands } from '../../cli/contracts';
import { CliError } from '../../cli/errors';
import { testConfig, tempDataDir } from '../support/temporal';
import { dtcContractSource, dtcExportCsv } from '../contracts/support/dtc-export';

/**
 * `dag contracts list | show | check | import`: what a user does before wiring a new export —
 * without a worker, and without touching the warehouse or the landing area.
 */
const EXAMPLES = path.resolve(__dirname, '../../contracts/examples');

async function dag(env: Record<string, string>, ...args: string[]): Promise<string> {
  const config = await testConfig(env);
  const p = new Command('dag').exitOverride();
  registerContractCommands(p, { config: () => config });
  const out: string[] = [];
  const write = jest.spyOn(process.stdout, 'write').mockImplementation((s) => (out.push(String(s)), true));
  try {
    await p.parseAsync(['node', 'dag', ...args]);
  } finally {
    write.mockRestore();
  }
  return out.join('');
}

function contractsDir(withAlias: boolean): string {
  const dir = tempDataDir('cli-contracts-');
  const text = dtcContractSource({ required: true, maxQuarantineRate: 0.12 });
  fs.writeFileSync(path.join(dir, 'dtc_events.contract.ts'), withAlias ? text : text.replace("aliases: { client_id: ['clientId', 'ClientID'] },", ''));
  return dir;
}

test('list names every source with its settings and contract file', async () => {
  const dir = contractsDir(true);
  const rows = JSON.parse(await dag({ DAG_CONTRACTS_DIR: dir }, 'contracts', 'list', '--json')) as {
    source: string;
    required: boolean;
    maxQuarantineRate: number | null;
    contract: string;
  }[];
  expect(rows.map((r) => [r.source, r.required, r.maxQuarantineRate])).toEqual([
    ['customers', false, null],
    ['events', true, null],
    ['order_items', false, null],
    ['orders', true, null],
    ['dtc_events', true, 0.12],
  ]);
  expect(rows[4].contract).toBe(path.join(dir, 'dtc_events.contract.ts'));
  expect(await dag({ DAG_CONTRACTS_DIR: dir }, 'contracts', 'list')).toMatch(/^dtc_events\s+yes\s+12\.0 %\s+dtc_events-\*\.csv dtc-export-\*\.csv\.gz/m);
});

test('show says every column’s rules in words', async () => {
  const out = await dag({ DAG_CONTRACTS_DIR: contractsDir(true) }, 'contracts', 'show', 'dtc_events');
  expect(out).toContain('  required      yes: a partition without it is blocked (sources_present)');
  expect(out).toContain('  quarantine    blocked above 12.0 % of its rows (quarantine_rate)');
  expect(out).toContain('  aliases       client_id ← clientId, ClientID');
  expect(out).toMatch(/client_id\s+varchar\s+required, matches \/\^cl_\\d\+\$\//);
  expect(out).toMatch(/timestamp\s+timestamp\s+required, with an offset \(Z or ±hh:mm\)/);
  expect(out).toMatch(/referrer\s+varchar\s+may be empty, a URL/);
  await expect(dag({}, 'contracts', 'show', 'nope')).rejects.toThrow(new CliError('unknown source "nope"; known: customers, events, order_items, orders'));
});

test('check: a dry run finds the header drift and suggests the alias; with it, the exact counts', async () => {
  const file = path.join(tempDataDir('cli-check-'), 'dtc_events-2026-03-02.csv');
  fs.writeFileSync(file, dtcExportCsv('2026-03-02'));
  const before = JSON.parse(await dag({ DAG_CONTRACTS_DIR: contractsDir(false) }, 'contracts', 'check', 'dtc_events', file, '--json'));
  expect(before).toMatchObject({
    nameMatches: true,
    rowsRead: 200,
    rowsValid: 0,
    rowsQuarantined: 200,
    missingColumns: ['client_id'],
    extraColumns: ['clientId'],
    suggestedAliases: [{ header: 'clientId', column: 'client_id' }],
    reasons: [{ reason: 'client_id: column not in the file', rows: 200 }],
  });
  const text = await dag({ DAG_CONTRACTS_DIR: contractsDir(false) }, 'contracts', 'check', 'dtc_events', file);
  expect(text).toContain("suggestion: add aliases: { client_id: ['clientId'] } — the file's clientId looks like client_id");
  const after = JSON.parse(await dag({ DAG_CONTRACTS_DIR: contractsDir(true) }, 'contracts', 'check', 'dtc_events', file, '--json'));
  expect(after).toMatchObject({ rowsRead: 200, rowsValid: 180, rowsQuarantined: 20, missingColumns: [], extraColumns: [], suggestedAliases: [] });
  expect(after.reasons.map((r: { reason: string; rows: number }) => [r.reason, r.rows])).toEqual([
    ['client_id: missing', 12],
    ['event_name: not one of page_view|add_to_cart|checkout|purchase', 8],
  ]);
  expect(after.reasons[0].examples[0]).toMatchObject({ line: 5 });
});

test('import: an ODCS document is checked, copied into the contracts folder, and loads from there', async () => {
  const dir = tempDataDir('cli-import-');
  const out = await dag({ DAG_CONTRACTS_DIR: dir }, 'contracts', 'import', path.join(EXAMPLES, 'web_orders.odcs.yaml'));
  expect(out).toContain('web_orders: 7 columns, key order_id, files web_orders_*.csv web_orders_*.csv.gz');
  expect(out).toContain('not used here (documentation or infrastructure): team, web_orders.physicalName, web_orders.coupon.examples');
  expect(fs.readFileSync(path.join(dir, 'web_orders.odcs.yaml'), 'utf8')).toBe(fs.readFileSync(path.join(EXAMPLES, 'web_orders.odcs.yaml'), 'utf8'));
  expect(JSON.parse(await dag({ DAG_CONTRACTS_DIR: dir }, 'contracts', 'show', 'web_orders', '--json'))).toMatchObject({
    timeZone: 'Europe/Berlin',
    maxQuarantineRate: 0.02,
  });
  // A document that cannot be enforced is refused, and nothing is written.
  const bad = path.join(tempDataDir('cli-import-'), 'bad.odcs.yaml');
  fs.writeFileSync(
    bad,
    'apiVersion: v3.1.0\nkind: DataContract\nschema:\n  - name: b\n    properties:\n      - {name: id, logicalType: string, primaryKey: true}\n      - {name: t, logicalType: time}\n',
  );
  await expect(dag({ DAG_CONTRACTS_DIR: dir }, 'contracts', 'import', bad)).rejects.toThrow(
    `refused: ${bad}: ODCS object "b": property t: logicalType "time" is not supported (string, integer, number, boolean, date, timestamp, object, array)`,
  );
  expect(fs.readdirSync(dir)).toEqual(['web_orders.odcs.yaml']);
  await expect(dag({}, 'contracts', 'import', path.join(EXAMPLES, 'web_orders.odcs.yaml'))).rejects.toThrow(
    'where to? set DAG_CONTRACTS_DIR (the folder the worker reads) or pass --to <dir>',
  );
});
