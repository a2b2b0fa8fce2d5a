import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { PersonaLabeling } from '../../workflows';
import { tempDataDir } from '../support/temporal';
import { startChildWorker, testServer, type ChildWorker } from '../reliability/support/child-worker';
import { VENDOR_FIXTURE } from './support/persona-env';

// `dag personas import` as a person runs it — the real `dag` binary in its own process — while a
// real worker process holds the warehouse file: the CLI must go through the worker (DuckDB has
// one writer), and refuse a model whose threshold cannot apply to its units.
const BIN = path.resolve(__dirname, '../../bin/dag');
let dataDir: string;
let env: Record<string, string>;
let worker: ChildWorker;
let client: Client;

beforeAll(async () => {
  dataDir = tempDataDir('personas-cli-');
  env = { DAG_DATA_DIR: dataDir, DAG_TASK_QUEUE: `personas-cli-${randomUUID()}` };
  worker = await startChildWorker(env);
  client = new Client({ connection: await Connection.connect({ address: testServer().address }) });
}, 120_000);
afterAll(async () => {
  await worker?.stop('SIGTERM');
  await client?.connection.close();
});

function dag(...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [BIN, ...args], {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', TEMPORAL_ADDRESS: testServer().address, DAG_LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let [stdout, stderr] = ['', ''];
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, stdout, stderr })));
}

/** The vendor file without its mean/std rows: raw centroids, distances in raw units. */
function rawCentroids(): string {
  const file = path.join(dataDir, 'raw-centroids.csv');
  const lines = fs.readFileSync(VENDOR_FIXTURE, 'utf8').split('\n');
  fs.writeFileSync(file, lines.filter((l) => !/^(mean|std),/.test(l)).join('\n'));
  return file;
}

test('import goes through the running worker: the vendor file becomes the active v1', async () => {
  const out = await dag('personas', 'import', VENDOR_FIXTURE);
  expect(out.stderr).toBe('');
  expect(out.stdout).toBe(
    `imported 8 personas from ${VENDOR_FIXTURE} as v1 (active); threshold 3.5 (the vendor's scaler); no survey participants loaded yet to estimate the unassigned share\n`,
  );
  expect(out.code).toBe(0);
  const active = JSON.parse(fs.readFileSync(path.join(dataDir, 'objects/ml/personas/active.json'), 'utf8'));
  expect(active).toMatchObject({ version: 1, artifactKey: 'ml/personas/v1.json' });
}, 120_000);

test('raw centroids with the default threshold are refused with the unassigned share they would cause; with --threshold they import', async () => {
  await client.workflow.execute(PersonaLabeling, {
    taskQueue: env.DAG_TASK_QUEUE,
    workflowId: `personas-cli-day-${randomUUID()}`,
    args: [{ date: '2026-11-01', generate: { participants: 2000, seed: 1 } }],
  });
  const raw = rawCentroids();
  const refused = await dag('personas', 'import', raw);
  expect(refused.code).toBe(1);
  expect(refused.stdout).toBe('');
  expect(refused.stderr).toMatch(
    /^dag: refused: raw-centroids\.csv has no scaler \(no mean and std rows\), so its distances are in raw feature units and the default unassigned threshold \(3\.5 standardised units\) does not apply: add the vendor's mean\/std rows, or import it with --threshold <distance in raw units> \(on 2000 participants of 2026-11-01 it would label (\d+\.\d) % unassigned\)\n$/,
  );
  expect(fs.existsSync(path.join(dataDir, 'objects/ml/personas/v2.json'))).toBe(false);

  const accepted = await dag('personas', 'import', raw, '--threshold', '9', '--json');
  expect(accepted.code).toBe(0);
  const result = JSON.parse(accepted.stdout);
  expect(result).toMatchObject({ version: 2, activated: false, threshold: 9, scaler: 'none', expectedUnassigned: { sampleSize: 2000, date: '2026-11-01' } });
  expect(result.expectedUnassigned.share).toBeLessThan(0.2);
}, 180_000);

test('a bad file or a bad --threshold is refused in one line before anything starts', async () => {
  const bad = path.join(dataDir, 'bad.csv');
  fs.writeFileSync(bad, fs.readFileSync(VENDOR_FIXTURE, 'utf8').replace('Premium Paula', 'Sustainable Steve'));
  const dup = await dag('personas', 'import', bad);
  expect([dup.code, dup.stderr]).toEqual([1, 'dag: refused: bad.csv: duplicate persona name "Sustainable Steve" (line 2 and line 5)\n']);
  const threshold = await dag('personas', 'import', VENDOR_FIXTURE, '--threshold', '-1');
  expect([threshold.code, threshold.stderr]).toEqual([1, 'dag: --threshold must be a positive number, got "-1"\n']);
  const missing = await dag('personas', 'import', path.join(dataDir, 'nope.csv'));
  expect(missing.stderr).toMatch(/^dag: refused: ENOENT: no such file or directory, open '.*nope\.csv'\n$/);
  expect(fs.readdirSync(path.join(dataDir, 'objects/ml/personas')).sort()).toEqual(['active.json', 'v1.json', 'v2.json']);
}, 120_000);
