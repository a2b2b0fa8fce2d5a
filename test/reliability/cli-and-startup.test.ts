import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { randomUUID } from 'node:crypto';
import { WorkflowFailedError } from '@temporalio/client';
import { DuckDBInstance } from '@duckdb/node-api';
import { loadConfig } from '../../config/config';
import type { ActivityDeps } from '../../lib/deps';
import { freePort } from '../../temporal/dev-server';
import { NightlyPipeline } from '../../workflows';
import { DEMO_VARIABLES, fakeRunner, makeMmmWorker, putDemoCsv, DEMO_KEY } from '../mmm/support';
import { runDag } from '../support/cli';
import { freshDeps } from '../support/fixtures';
import { createTestEnv, tempDataDir, type TestEnv, type TestWorker } from '../support/temporal';
import { waitFor } from '../support/time';

/**
 * The `dag` command and `dag worker` as an operator meets them, as real child processes: bad
 * arguments refused before anything starts (with the workflows' own schemas), failures explained
 * by their root cause in one line, a worker that cannot start exits and releases its ports.
 */
let env: TestEnv;
let w: TestWorker;
beforeAll(async () => {
  env = await createTestEnv();
  w = await env.makeWorker();
}, 60_000);
afterAll(async () => {
  await w?.close();
  await env?.close();
});

const dag = (args: string[], extra: Record<string, string> = {}) =>
  runDag(args, { TEMPORAL_ADDRESS: env.address, DAG_TASK_QUEUE: w.taskQueue, DAG_DATA_DIR: tempDataDir('cli-'), ...extra });

/** No workflow of this type was started on the test worker's task queue. */
const started = async (type: string) => {
  let n = 0;
  for await (const _ of env.client.workflow.list({ query: `WorkflowType = '${type}' AND TaskQueue = '${w.taskQueue}'` })) n++;
  return n;
};

describe('bad arguments are refused in one line before anything starts', () => {
  test.each([
    [['backfill', '--from', '2026-10-10', '--to', '2026-10-01'], 'dag: Backfill input: from: "from" must not be after "to"'],
    [
      ['backfill', '--from', '2026-10-01', '--to', '2026-10-02', '--only', 'bogus'],
      'dag: Backfill input: only: Invalid option: expected one of "all"|"missing"|"failed-or-missing"',
    ],
    [
      ['backfill', '--from', '2026-10-01', '--to', '2026-10-02', '--max-concurrent', 'abc'],
      'dag: Backfill input: maxConcurrent: Invalid input: expected number, received string',
    ],
    [
      ['backfill', '--from', '2026-10-01', '--to', '2026-10-02', '--max-concurrent', '0'],
      'dag: Backfill input: maxConcurrent: Too small: expected number to be >=1',
    ],
    [['run', 'nightly', '--date', '2026-10-01', '--generate', '1e12'], 'dag: NightlyPipeline input: generate.rows: Too big: expected number to be <=50000000'],
    [['mmm', 'run', '--iterations', '-1'], 'dag: RobynMmm input: iterations: Too small: expected number to be >=10'],
    [['run', 'nightly', '--date', '0001-01-01'], 'dag: bad date "0001-01-01": must be between 1900-01-01 and 2199-12-31'],
    [['run', 'nightly', '--date', '9999-12-31'], 'dag: bad date "9999-12-31": must be between 1900-01-01 and 2199-12-31'],
    [
      ['backfill', '--from', '2150-01-01', '--to', '2150-01-02'],
      'dag: partition date 2150-01-01 is outside the accepted range 2000-01-01..2099-12-31 (DAG_PARTITION_MIN, DAG_PARTITION_MAX)',
    ],
  ])('dag %j', async (args, message) => {
    const r = await dag(args);
    expect({ code: r.code, stdout: r.stdout, stderr: r.stderr }).toEqual({ code: 1, stdout: '', stderr: `${message}\n` });
  });

  test('nothing was started by any of them', async () => {
    expect([await started('Backfill'), await started('NightlyPipeline'), await started('RobynMmm')]).toEqual([0, 0, 0]);
  });

  test('`dag dev` with TEMPORAL_ADDRESS set refuses and says what to run instead', async () => {
    const r = await dag(['dev']);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      `dag: TEMPORAL_ADDRESS is set (${env.address}): \`dag dev\` starts the embedded dev server and would ignore it. Run \`dag worker\` (or \`dag dev --no-server\` for a worker and the console) to work against ${env.address}, or unset TEMPORAL_ADDRESS\n`,
    );
  });
});

describe('partition dates', () => {
  test.each([
    ['0001-01-01', 'NightlyPipeline input: date: must be between 1900-01-01 and 2199-12-31'],
    ['9999-12-31', 'NightlyPipeline input: date: must be between 1900-01-01 and 2199-12-31'],
    [
      '2150-06-01',
      'NightlyPipeline input: partition date 2150-06-01 is outside the accepted range 2000-01-01..2099-12-31 (DAG_PARTITION_MIN, DAG_PARTITION_MAX)',
    ],
  ])('a nightly for %s is refused at its start and writes nothing', async (date, message) => {
    const err = await env.client.workflow
      .execute(NightlyPipeline, {
        taskQueue: w.taskQueue,
        workflowId: `date-${randomUUID()}`,
        args: [{ date, generate: { rows: 100, anomalies: false, seed: 1 } }],
      })
      .catch((e) => e);
    expect(err).toBeInstanceOf(WorkflowFailedError);
    expect((err as WorkflowFailedError).cause?.message).toBe(message);
    expect(await w.deps.warehouse.query(`select count(*) as n from ops.load_audit where partition_date = cast($d as date)`, { d: date })).toEqual([{ n: 0 }]);
  });

  test('the range is configurable and checked', () => {
    const cfg = loadConfig({ DAG_PARTITION_MIN: '2020-01-01', DAG_PARTITION_MAX: '2150-12-31' }, '/');
    expect(cfg.pipeline).toMatchObject({ partitionMin: '2020-01-01', partitionMax: '2150-12-31' });
    expect(() => loadConfig({ DAG_PARTITION_MIN: '2030-01-01', DAG_PARTITION_MAX: '2020-01-01' }, '/')).toThrow(
      'configuration: DAG_PARTITION_MIN 2030-01-01 is after DAG_PARTITION_MAX 2020-01-01',
    );
    expect(() => loadConfig({ DAG_PARTITION_MAX: '9999-12-31' }, '/')).toThrow('configuration: DAG_PARTITION_MAX: must be between 1900-01-01 and 2199-12-31');
  });
});

describe('failures are explained by their root cause', () => {
  let deps: ActivityDeps;
  let mmm: Awaited<ReturnType<typeof makeMmmWorker>>;
  const taskQueue = `cli-mmm-${randomUUID()}`;
  beforeAll(async () => {
    deps = await freshDeps();
    await putDemoCsv(deps);
    mmm = await makeMmmWorker(env, deps, taskQueue, { runnerCommand: fakeRunner(0.2, 1) });
  }, 60_000);
  afterAll(async () => {
    await mmm?.stop();
    await deps?.warehouse.close();
  });

  test('`dag mmm run --wait` prints the runner failure, not "Activity task failed"', async () => {
    const r = await dag(
      [
        'mmm',
        'run',
        '--country',
        'NO',
        '--from',
        '2016-01-04',
        '--to',
        '2018-12-31',
        '--iterations',
        '10',
        '--trials',
        '1',
        '--csv',
        DEMO_KEY,
        '--variables',
        JSON.stringify(DEMO_VARIABLES),
        '--wait',
      ],
      { DAG_TASK_QUEUE: taskQueue },
    );
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /^dag: robyn-mmm-NO failed: runRobynJob: Robyn job robyn-robyn-mmm-NO-\S+ \(local \d+\) failed with exit code 1: runner exited with code 1 — fake-runner: failing on purpose with exit code 1\n$/,
    );
  });
});

describe('`dag worker` start-up', () => {
  /** A valid warehouse file, cut to a third. */
  const truncated = async (dir: string) => {
    const file = path.join(dir, 'whole.duckdb');
    const db = await DuckDBInstance.create(file);
    const c = await db.connect();
    await c.run('create table t as select * from range(200000)');
    c.closeSync();
    db.closeSync();
    const bytes = fs.readFileSync(file);
    return bytes.subarray(0, Math.floor(bytes.length / 3));
  };
  const canBind = (port: number) =>
    new Promise<boolean>((resolve) => {
      const s = net.createServer();
      s.once('error', () => resolve(false));
      s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
    });

  test.each([
    ['0 bytes', async () => Buffer.alloc(0), /exists, but it is not a valid DuckDB database file!$/],
    [
      'a random header',
      async () => Buffer.concat([Buffer.from('RANDOMHEADER'), Buffer.alloc(8192, 7)]),
      /exists, but it is not a valid DuckDB database file!$/,
    ],
    ['text', async () => Buffer.from('this is not a database\n'.repeat(100)), /exists, but it is not a valid DuckDB database file!$/],
    ['a truncated database', truncated, /^IO Error: Could not read enough bytes from file/],
  ])('a warehouse file of %s: one clear line, exit 1, both ports free', async (_what, content, duckdbMessage) => {
    const dir = tempDataDir('corrupt-');
    const file = path.join(dir, 'warehouse.duckdb');
    fs.writeFileSync(file, await content(dir));
    const [pipelinePort, temporalPort] = [await freePort(), await freePort()];
    const r = await dag(['worker'], { DAG_DATA_DIR: dir, DAG_METRICS_PORT: String(pipelinePort), DAG_TEMPORAL_METRICS_PORT: String(temporalPort) });
    expect(r.code).toBe(1);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0].startsWith(`dag: cannot open the warehouse ${file}: `)).toBe(true);
    expect(lines[0].slice(`dag: cannot open the warehouse ${file}: `.length)).toMatch(duckdbMessage);
    expect([await canBind(pipelinePort), await canBind(temporalPort)]).toEqual([true, true]);
  });

  test.each([
    ['DAG_METRICS_PORT', 'DAG_TEMPORAL_METRICS_PORT'],
    ['DAG_TEMPORAL_METRICS_PORT', 'DAG_METRICS_PORT'],
  ])('%s in use: the line names the setting and the port; nothing else stays bound', async (busy, other) => {
    const holder = net.createServer();
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
    const port = (holder.address() as net.AddressInfo).port;
    const otherPort = await freePort();
    try {
      const r = await dag(['worker'], { [busy]: String(port), [other]: String(otherPort) });
      expect(r.code).toBe(1);
      expect(
        r.stderr
          .trim()
          .split('\n')
          .filter((l) => l.startsWith('dag: ')),
      ).toEqual([`dag: ${busy} ${port} is already in use on 127.0.0.1 (another worker?): stop it, or set ${busy} to a free port (0 = any)`]);
      expect(await canBind(otherPort)).toBe(true);
    } finally {
      holder.close();
    }
  });

  test('DAG_TEMPORAL_METRICS_PORT=0 means any free port, like DAG_METRICS_PORT=0: the worker serves both and says where', async () => {
    expect(loadConfig({ DAG_METRICS_PORT: '0', DAG_TEMPORAL_METRICS_PORT: '0' }, '/').worker).toMatchObject({ metricsPort: 0, temporalMetricsPort: 0 });
    const child = spawn(process.execPath, [path.resolve(__dirname, '../../bin/dag'), 'worker'], {
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '',
        TEMPORAL_ADDRESS: env.address,
        DAG_TASK_QUEUE: `metrics-zero-${randomUUID()}`,
        DAG_DATA_DIR: tempDataDir('metrics-zero-'),
        DAG_METRICS_PORT: '0',
        DAG_TEMPORAL_METRICS_PORT: '0',
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr!.on('data', (d) => (stderr += d));
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    try {
      const started = await waitFor('the worker to start', async () => {
        const line = stderr.split('\n').find((l) => l.includes('"worker started"'));
        return line ? (JSON.parse(line) as { metrics: string; temporalMetrics: string }) : undefined;
      });
      expect(started.metrics).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
      expect(started.temporalMetrics).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
      expect(started.metrics).not.toBe(started.temporalMetrics);
      expect(await (await fetch(started.metrics)).text()).toContain('# TYPE dag_bronze_rows_loaded_total counter');
      expect(await (await fetch(started.temporalMetrics)).text()).toMatch(/^temporal_/m);
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });
});
