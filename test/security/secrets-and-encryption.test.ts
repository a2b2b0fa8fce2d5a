import { randomUUID } from 'node:crypto';
import { Client, Connection, WorkflowFailedError } from '@temporalio/client';
import { ActivityFailure, ApplicationFailure, type Payload } from '@temporalio/common';
import type { temporal } from '@temporalio/proto';
import { loadConfig } from '../../config/config';
import { dataConverter, ENCRYPTED_ENCODING, payloadCodec } from '../../lib/codec';
import { startCodecServer } from '../../workers/codec-server';
import { NightlyPipeline, RobynMmm } from '../../workflows';
import { tempDataDir } from '../support/temporal';
import { startChildWorker, testServer, type ChildWorker } from '../reliability/support/child-worker';

/**
 * A full nightly run on a worker process configured with recognisable fake secrets and payload
 * encryption: no secret appears in any workflow history (every payload decoded) or in the
 * worker's logs; payloads and failure messages are encrypted at rest and readable through the
 * codec endpoint.
 */
const SECRETS = {
  OPENAI_API_KEY: 'sk-FAKE-openai-key-7f3a9c1e5b',
  SNOWFLAKE_PASSWORD: 'FAKE-snowflake-pw-4d8e2a6c',
  SNOWFLAKE_PRIVATE_KEY_PASSPHRASE: 'FAKE-passphrase-0b9f7e3d',
  DAG_PAYLOAD_KEY: Buffer.from('FAKE-payload-key-32-bytes-long!!').toString('base64'),
};
const DATE = '2026-03-03';
const env = { ...SECRETS, DAG_PLANNER: 'rules', DAG_DATA_DIR: tempDataDir('secrets-'), DAG_TASK_QUEUE: `secrets-${randomUUID()}` };
const config = loadConfig(env);
let worker: ChildWorker;
let client: Client;
let histories: Payload[][];
let texts: string;

/** Every Payload object anywhere in a history event tree (inputs, results, details, failures…). */
function payloadsIn(node: unknown, out: Payload[] = []): Payload[] {
  if (!node || typeof node !== 'object') return out;
  const o = node as Record<string, unknown>;
  if (o.metadata && typeof o.metadata === 'object' && 'data' in o && !(o.metadata instanceof Uint8Array)) out.push(o as Payload);
  else for (const v of Object.values(o)) payloadsIn(v, out);
  return out;
}

type Failure = temporal.api.failure.v1.IFailure;
/** Every Failure in a history event tree: each event's `failure` and, nested, each `cause`. */
function failuresIn(node: unknown, out: Failure[] = []): Failure[] {
  if (!node || typeof node !== 'object') return out;
  for (const [k, v] of Object.entries(node)) {
    if ((k === 'failure' || k === 'cause') && v && typeof v === 'object') out.push(v as Failure);
    failuresIn(v, out);
  }
  return out;
}
const encodingOf = (p?: Payload | null) => Buffer.from(p?.metadata?.encoding ?? []).toString();

beforeAll(async () => {
  worker = await startChildWorker(env);
  client = new Client({ connection: await Connection.connect({ address: testServer().address }), dataConverter: dataConverter(config) });
  const ids = [`secrets-${randomUUID()}`, `secrets-bad-${randomUUID()}`];
  const ok = await client.workflow.execute(NightlyPipeline, {
    taskQueue: env.DAG_TASK_QUEUE,
    workflowId: ids[0],
    args: [{ date: DATE, generate: { rows: 3000, anomalies: false, seed: 6 } }],
  });
  expect(ok.status).toBe('succeeded');
  await client.workflow
    .execute(NightlyPipeline, { taskQueue: env.DAG_TASK_QUEUE, workflowId: ids[1], args: [{ date: 'not-a-date' } as never] })
    .catch(() => undefined);
  ids.push(`attribution-${DATE}`);
  const raw = await Promise.all(ids.map((id) => client.workflow.getHandle(id).fetchHistory()));
  histories = raw.map((h) => payloadsIn(h.events));
  const codec = payloadCodec(config)!;
  const decoded = await Promise.all(histories.map((ps) => codec.decode(ps)));
  // Everything a person could read: decoded payloads, plus all other history text (failure messages, summaries).
  texts = [...decoded.flat().map((p) => Buffer.from(p.data ?? []).toString('utf8')), JSON.stringify(raw), worker.stderr()].join('\n');
}, 180_000);
afterAll(async () => {
  await worker?.stop('SIGTERM');
  await client?.connection.close();
});

test.each(Object.entries(SECRETS))('%s appears in no history and no log line', (_name, value) => {
  expect(texts.length).toBeGreaterThan(10_000);
  expect(texts).not.toContain(value);
});

test('workflow and activity payloads are encrypted at rest; the decoded ones are the real values', async () => {
  // Search attributes (PartitionDate, PipelineStatus) stay plain by design: the server indexes them.
  const isSearchAttribute = (p: Payload) => p.metadata?.type !== undefined;
  // patched() markers are written by the SDK's core without the codec; they hold only the patch id.
  const isPatchMarker = (p: Payload) => /^\{"id":"[\w-]+","deprecated":(true|false)\}$/.test(Buffer.from(p.data ?? []).toString());
  const all = histories.flat().filter((p) => !isSearchAttribute(p) && !isPatchMarker(p));
  expect(all.length).toBeGreaterThan(50);
  const plain = all.filter((p) => Buffer.from(p.metadata?.encoding ?? []).toString() !== ENCRYPTED_ENCODING);
  expect(plain).toEqual([]);
  expect(all.some((p) => Buffer.from(p.data ?? []).includes(DATE))).toBe(false);
  const [input] = await payloadCodec(config)!.decode([all[0]]);
  expect(JSON.parse(Buffer.from(input.data!).toString())).toMatchObject({ date: DATE });
});

test('the codec endpoint decodes history payloads for the UI (CORS), and refuses another key clearly', async () => {
  const server = await startCodecServer({ codec: payloadCodec(config)!, corsOrigin: 'http://localhost:8233' });
  try {
    const b64 = (p: Payload) => ({
      metadata: Object.fromEntries(Object.entries(p.metadata!).map(([k, v]) => [k, Buffer.from(v).toString('base64')])),
      data: Buffer.from(p.data!).toString('base64'),
    });
    const res = await fetch(`${server.url}/decode`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-Namespace': 'default' },
      body: JSON.stringify({ payloads: [b64(histories[0][0])] }),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe('http://localhost:8233');
    const { payloads } = (await res.json()) as { payloads: { data: string; metadata: Record<string, string> }[] };
    expect(Buffer.from(payloads[0].metadata.encoding, 'base64').toString()).toBe('json/plain');
    expect(JSON.parse(Buffer.from(payloads[0].data, 'base64').toString())).toMatchObject({ date: DATE });
    const preflight = await fetch(`${server.url}/decode`, { method: 'OPTIONS' });
    expect([preflight.status, preflight.headers.get('access-control-allow-headers')]).toEqual([204, 'Content-Type, X-Namespace, Authorization']);

    const other = await startCodecServer({ codec: payloadCodec(loadConfig({ ...env, DAG_PAYLOAD_KEY: Buffer.alloc(32, 7).toString('base64') }))! });
    const refused = await fetch(`${other.url}/decode`, { method: 'POST', body: JSON.stringify({ payloads: [b64(histories[0][0])] }) });
    await other.close();
    expect(refused.status).toBe(400);
    expect(((await refused.json()) as { error: string }).error).toMatch(/^payload was encrypted with key [0-9a-f]{16}, this codec has key [0-9a-f]{16}$/);
  } finally {
    await server.close();
  }
});

test('failure messages and stack traces are encrypted too: absent from the raw history, read back through the codec', async () => {
  const MARKER = 'FAILURE-MARKER-9c4e2a71';
  const taskQueue = env.DAG_TASK_QUEUE;
  // One failure raised in workflow code (the sandbox's failure converter), one in an activity (the worker's).
  const inWorkflow = await client.workflow.start(NightlyPipeline, {
    taskQueue,
    workflowId: `secrets-fail-wf-${randomUUID()}`,
    args: [{ date: DATE, [MARKER]: true } as never],
  });
  const inActivity = await client.workflow.start(RobynMmm, {
    taskQueue,
    workflowId: `secrets-fail-act-${randomUUID()}`,
    args: [
      {
        from: '2025-01-06',
        to: '2025-12-28',
        source: { kind: 'csv', key: `mmm/${MARKER}.csv`, variables: { date: 'week', depVar: 'revenue', paidMediaSpends: ['tv_spend'] } },
      },
    ],
  });
  const [wfErr, actErr] = await Promise.all([inWorkflow.result().catch((e: unknown) => e), inActivity.result().catch((e: unknown) => e)]);

  // A client with the codec sees the original messages and the activity's stack trace.
  expect(wfErr).toBeInstanceOf(WorkflowFailedError);
  expect((wfErr as WorkflowFailedError).cause).toBeInstanceOf(ApplicationFailure);
  expect((wfErr as WorkflowFailedError).cause!.message).toBe(`NightlyPipeline input: unknown key "${MARKER}"`);
  const activityFailure = (actErr as WorkflowFailedError).cause as ActivityFailure;
  expect(activityFailure).toBeInstanceOf(ActivityFailure);
  const cause = activityFailure.cause as ApplicationFailure;
  expect([cause.type, cause.nonRetryable]).toEqual(['InvalidDataset', true]);
  expect(cause.message).toContain(`1) no object mmm/${MARKER}.csv in the object store`);
  expect(cause.stack).toContain('prepare-dataset.ts');

  // Fetched without the codec: every failure (workflow, activity, causes) says only "Encoded failure".
  const plain = new Client({ connection: client.connection });
  for (const [handle, minFailures] of [
    [inWorkflow, 1],
    [inActivity, 3],
  ] as const) {
    const raw = await plain.workflow.getHandle(handle.workflowId).fetchHistory();
    const failures = failuresIn(raw.events);
    expect(failures.length).toBeGreaterThanOrEqual(minFailures);
    expect(failures.map((f) => ({ message: f.message, stackTrace: f.stackTrace ?? '', attributes: encodingOf(f.encodedAttributes) }))).toEqual(
      failures.map(() => ({ message: 'Encoded failure', stackTrace: '', attributes: ENCRYPTED_ENCODING })),
    );
    expect(payloadsIn(raw.events).filter((p) => Buffer.from(p.data ?? []).includes(MARKER))).toEqual([]);
    expect(JSON.stringify(raw)).not.toContain(MARKER);
    // The encrypted attributes are the message and the stack trace, readable with the key.
    const [decoded] = await payloadCodec(config)!.decode([failures.at(-1)!.encodedAttributes as Payload]);
    expect(JSON.parse(Buffer.from(decoded.data!).toString())).toMatchObject({ message: expect.stringContaining(MARKER), stack_trace: expect.any(String) });
  }
}, 120_000);
