import { randomUUID } from 'node:crypto';
import * as net from 'node:net';
import { WorkflowFailedError } from '@temporalio/client';
import { bundleWorkflowCode, Worker } from '@temporalio/worker';
import { createNotifyActivities, type NotifyInput } from '../../activities/notify';
import type { ActivityDeps } from '../../lib/deps';
import { createLogger } from '../../lib/logger';
import { openDeps } from '../../lib/open-deps';
import { createTestEnv, quietLogger, runWorker, testConfig, type TestEnv } from '../support/temporal';
import { startSmtpReceiver, startWebhookReceiver, type WebhookReceiver } from './support/receivers';
import { NotifyTest } from './workflows';

let env: TestEnv;
let bundle: { code: string };
let hooks: WebhookReceiver;
let smtp: Awaited<ReturnType<typeof startSmtpReceiver>>;
// Paths carry a token, as Slack's webhook URLs do: it must never leave the worker's configuration.
const TOKEN = 'T0KEN-' + randomUUID();
let flakyAnswers = 0;

beforeAll(async () => {
  env = await createTestEnv();
  bundle = await bundleWorkflowCode({ workflowsPath: require.resolve('./workflows'), logger: quietLogger });
  hooks = await startWebhookReceiver((path, n) => {
    if (path.includes('/flaky/')) return n === 1 ? 500 : 200;
    if (path.includes('/gone/')) return 404;
    return 200;
  });
  smtp = await startSmtpReceiver();
}, 120_000);
afterAll(async () => {
  await hooks?.close();
  await smtp?.close();
  await env?.close();
});

const event = (workflowId: string): NotifyInput => ({
  kind: 'awaiting',
  subject: { type: 'cleaning-plan', workflowId, version: 1, title: 'cleaning plan v1 for 2026-11-02', date: '2026-11-02' },
  requestedAt: '2026-11-03T02:10:00.000Z',
  deadline: '2026-11-04T02:10:00.000Z',
  facts: ['failing: negative_revenue, orphan_purchases', 'judge: approve'],
});

/** A worker with only the notify activity, configured by `vars`; logs captured unscrubbed. */
async function withWorker<T>(vars: Record<string, string>, fn: (run: (input: NotifyInput, times?: number) => Promise<unknown>, logs: string[]) => Promise<T>) {
  const taskQueue = `notify-${randomUUID()}`;
  const config = await testConfig({ DAG_CONSOLE_URL: 'http://127.0.0.1:8790', ...vars });
  const opened = await openDeps(config);
  const logs: string[] = [];
  const deps: ActivityDeps = { ...opened, logger: createLogger({ level: 'debug', write: (l) => logs.push(l) }) };
  const worker = await Worker.create({ connection: env.connection, taskQueue, workflowBundle: bundle, activities: createNotifyActivities(deps) });
  const stop = runWorker(worker);
  try {
    return await fn(
      (input, times = 1) => env.client.workflow.execute(NotifyTest, { taskQueue, workflowId: input.subject.workflowId, args: [input, times] }),
      logs,
    );
  } finally {
    await stop();
    await opened.warehouse.close();
  }
}

/** A port nothing listens on: bound once, then closed. */
async function closedLoopbackPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

const id = () => `cleaning-2026-11-02-${randomUUID().slice(0, 8)}`;

test('every channel gets the event once: a Slack body and a generic body with the decision link, and an e-mail', async () => {
  const wf = id();
  const slack = `/slack/${wf}/${TOKEN}`;
  const generic = `/generic/${wf}/${TOKEN}`;
  await withWorker(
    {
      DAG_NOTIFY_WEBHOOKS: 'approvers=slack,audit=generic',
      DAG_WEBHOOK_APPROVERS_URL: hooks.url(slack),
      DAG_WEBHOOK_AUDIT_URL: hooks.url(generic),
      DAG_SMTP_URL: smtp.url(),
      DAG_NOTIFY_EMAIL_TO: 'approvers@example.com',
    },
    async (run) => {
      const [result] = (await run(event(wf))) as { delivered: string[]; idempotencyKey: string }[];
      expect(result.delivered).toEqual(['approvers', 'audit', 'email']);
      const link = `http://127.0.0.1:8790/decisions/${wf}`;
      const [s] = hooks.accepted(slack);
      expect(hooks.requests.filter((r) => r.path === slack)).toHaveLength(1);
      expect(s.body.text).toBe(`Decision needed: cleaning plan v1 for 2026-11-02 — ${link}`);
      expect(s.body.blocks[1].elements[0]).toMatchObject({ type: 'button', url: link });
      expect(s.body.blocks[0].text.text).toContain('• failing: negative_revenue, orphan_purchases');
      const [g] = hooks.accepted(generic);
      expect(hooks.requests.filter((r) => r.path === generic)).toHaveLength(1);
      expect(g.body).toMatchObject({ id: result.idempotencyKey, event: 'awaiting', url: link, subject: { workflowId: wf, version: 1 } });
      expect(g.headers['idempotency-key']).toBe(result.idempotencyKey);
      expect(result.idempotencyKey).toMatch(new RegExp(`^${wf}/[0-9a-f-]+/v1/awaiting$`));
      const mails = smtp.mails.filter((m) => m.raw.includes(wf));
      expect(mails).toHaveLength(1);
      expect(mails[0].to).toEqual(['approvers@example.com']);
      expect(mails[0].header('Subject')).toBe('[marketing-dag] Decision needed: cleaning plan v1 for 2026-11-02');
      expect(mails[0].raw).toContain(link);
    },
  );
});

test('a receiver failing once is retried, and the channels that already got the event are not posted to again', async () => {
  const wf = id();
  const flaky = `/flaky/${wf}/${TOKEN}`;
  const steady = `/steady/${wf}/${TOKEN}`;
  await withWorker(
    { DAG_NOTIFY_WEBHOOKS: 'steady=generic,flaky=slack', DAG_WEBHOOK_STEADY_URL: hooks.url(steady), DAG_WEBHOOK_FLAKY_URL: hooks.url(flaky) },
    async (run) => {
      const [result] = (await run(event(wf))) as { delivered: string[]; alreadyDelivered: string[] }[];
      // Attempt 1 delivered `steady` and failed on `flaky`; attempt 2 sent only `flaky`.
      expect(result).toMatchObject({ delivered: ['flaky'], alreadyDelivered: ['steady'] });
      expect(hooks.requests.filter((r) => r.path === steady).map((r) => r.status)).toEqual([200]);
      expect(hooks.requests.filter((r) => r.path === flaky).map((r) => r.status)).toEqual([500, 200]);
      flakyAnswers++;
    },
  );
  expect(flakyAnswers).toBe(1);
});

test('the same event sent twice (same workflow run, version and kind) is delivered once', async () => {
  const wf = id();
  const path = `/twice/${wf}/${TOKEN}`;
  await withWorker(
    { DAG_NOTIFY_WEBHOOKS: 'ops=generic', DAG_WEBHOOK_OPS_URL: hooks.url(path), DAG_SMTP_URL: smtp.url(), DAG_NOTIFY_EMAIL_TO: 'ops@example.com' },
    async (run) => {
      const results = (await run(event(wf), 2)) as { delivered: string[]; alreadyDelivered: string[] }[];
      expect(results.map((r) => [r.delivered, r.alreadyDelivered])).toEqual([
        [['ops', 'email'], []],
        [[], ['ops', 'email']],
      ]);
      expect(hooks.requests.filter((r) => r.path === path)).toHaveLength(1);
      expect(smtp.mails.filter((m) => m.raw.includes(wf))).toHaveLength(1);
      // Another event of the same subject has its own key: delivered. (Another run of the workflow id, too.)
      const [decided] = (await run({
        ...event(wf),
        kind: 'decided',
        decision: { decision: 'accept', approver: 'bob', reason: 'refunds booked as sales' },
      })) as {
        delivered: string[];
      }[];
      expect(decided.delivered).toEqual(['ops', 'email']);
      expect(hooks.requests.filter((r) => r.path === path).map((r) => r.body.event)).toEqual(['awaiting', 'decided']);
    },
  );
});

test('URLs and the SMTP password never reach the history, the failure or the logs; the failure names each channel and why', async () => {
  const wf = id();
  const gone = `/gone/${wf}/${TOKEN}`;
  const closedPort = `http://127.0.0.1:${await closedLoopbackPort()}/${TOKEN}`;
  const smtpPassword = `pw-${TOKEN}`;
  await withWorker(
    {
      DAG_NOTIFY_WEBHOOKS: 'gone=slack,down=generic',
      DAG_WEBHOOK_GONE_URL: hooks.url(gone),
      DAG_WEBHOOK_DOWN_URL: closedPort,
      DAG_SMTP_URL: smtp.url('mailer', smtpPassword),
      DAG_NOTIFY_EMAIL_TO: 'ops@example.com',
    },
    async (run, logs) => {
      const err = await run(event(wf)).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(WorkflowFailedError);
      const message = ((err as WorkflowFailedError).cause?.cause as Error | undefined)?.message ?? '';
      expect(message).toBe('webhook "gone" answered HTTP 404; webhook "down": connection refused (delivered: email)');
      // "down" may come back, so the activity is retried until its attempts run out; e-mail went out once.
      expect(hooks.requests.filter((r) => r.path === gone).length).toBe(4);
      expect(smtp.mails.filter((m) => m.raw.includes(wf))).toHaveLength(1);
      expect(smtp.logins.some((l) => l.password === smtpPassword)).toBe(true);
      const history = JSON.stringify((await env.client.workflow.getHandle(wf).fetchHistory()).events);
      expect(history).toContain('connection refused');
      for (const text of [history, logs.join('\n'), message]) {
        expect(text).not.toContain(TOKEN);
        expect(text).not.toContain(closedPort);
      }
      expect(logs.join('\n')).toContain('notification not delivered');
    },
  );
});

test('a receiver that refuses the request itself (HTTP 404) fails the activity at once: no retry can fix a wrong URL', async () => {
  const wf = id();
  const gone = `/gone/${wf}/${TOKEN}`;
  await withWorker({ DAG_NOTIFY_WEBHOOKS: 'gone=generic', DAG_WEBHOOK_GONE_URL: hooks.url(gone) }, async (run) => {
    const err = await run(event(wf)).catch((e: unknown) => e);
    expect(((err as WorkflowFailedError).cause?.cause as Error | undefined)?.message).toBe('webhook "gone" answered HTTP 404');
    expect(hooks.requests.filter((r) => r.path === gone)).toHaveLength(1);
  });
});

test('no channel configured: nothing is sent and nothing fails; unknown channel names are reported', async () => {
  const wf = id();
  await withWorker({}, async (run) => {
    const [r] = (await run({ ...event(wf), channels: ['approvers'] })) as { delivered: string[]; unknown: string[] }[];
    expect(r).toMatchObject({ delivered: [], unknown: ['approvers'] });
  });
});
