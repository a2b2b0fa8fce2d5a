import { loadConfig, redactedConfig, secretValues } from '../../config/config';

const load = (env: Record<string, string>) => loadConfig({ DAG_DATA_DIR: '/tmp/dag-notify-config', ...env });
const fails = (env: Record<string, string>) => {
  try {
    load(env);
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error('expected a configuration error');
};

test('channels are named in DAG_NOTIFY_WEBHOOKS; each URL is a secret of its own, scrubbed and redacted', () => {
  const cfg = load({
    DAG_NOTIFY_WEBHOOKS: 'approvers=slack, audit',
    DAG_WEBHOOK_APPROVERS_URL: 'https://hooks.slack.com/services/T000/B000/XXXXSECRET',
    DAG_WEBHOOK_AUDIT_URL: 'http://127.0.0.1:9000/hook',
    DAG_SMTP_URL: 'smtp://mailer:p%40ssw0rd@127.0.0.1:2525',
    DAG_NOTIFY_EMAIL_TO: 'ops@example.com, approvers@localhost',
  });
  expect(cfg.notifications).toEqual({
    webhooks: { approvers: 'slack', audit: 'generic' },
    email: { to: ['ops@example.com', 'approvers@localhost'], from: 'marketing-dag@localhost' },
  });
  expect(secretValues(cfg)).toEqual(
    expect.arrayContaining([
      'https://hooks.slack.com/services/T000/B000/XXXXSECRET',
      'http://127.0.0.1:9000/hook',
      'smtp://mailer:p%40ssw0rd@127.0.0.1:2525',
      'p@ssw0rd',
    ]),
  );
  const shown = JSON.stringify(redactedConfig(cfg));
  expect(shown).not.toContain('XXXXSECRET');
  expect(shown).not.toContain('ssw0rd');
  expect(redactedConfig(cfg).secrets.webhookUrls).toEqual({ approvers: '***', audit: '***' });
});

test('a channel without its URL, a bad format, a bad URL or e-mail without SMTP fail at start, naming the variable and no value', () => {
  expect(fails({ DAG_NOTIFY_WEBHOOKS: 'approvers=slack' })).toBe(
    'configuration: DAG_WEBHOOK_APPROVERS_URL is required: DAG_NOTIFY_WEBHOOKS names the channel "approvers"',
  );
  expect(fails({ DAG_NOTIFY_WEBHOOKS: 'approvers=teams', DAG_WEBHOOK_APPROVERS_URL: 'https://x.example' })).toMatch(
    /^configuration: DAG_NOTIFY_WEBHOOKS\.approvers: /,
  );
  expect(fails({ DAG_NOTIFY_WEBHOOKS: 'Approvers!', DAG_WEBHOOK_APPROVERS_URL: 'https://x.example' })).toBe(
    'configuration: DAG_NOTIFY_WEBHOOKS: "Approvers!" is not a channel name (lower-case letters, digits and _)',
  );
  const badUrl = fails({ DAG_NOTIFY_WEBHOOKS: 'approvers', DAG_WEBHOOK_APPROVERS_URL: 'hooks.slack.com/services/SECRETPART' });
  expect(badUrl).toBe('configuration: DAG_WEBHOOK_APPROVERS_URL: must be a URL');
  expect(fails({ DAG_NOTIFY_EMAIL_TO: 'ops@example.com' })).toBe('configuration: DAG_SMTP_URL is required when DAG_NOTIFY_EMAIL_TO is set');
});

test('the console listens on loopback only and its links use DAG_CONSOLE_URL', () => {
  expect(fails({ DAG_CONSOLE_HOST: '0.0.0.0' })).toBe('configuration: DAG_CONSOLE_HOST: must be a loopback address (127.0.0.1, ::1 or localhost)');
  expect(load({}).console).toMatchObject({ host: '127.0.0.1', port: 8790, accountsFile: '/tmp/dag-notify-config/console/accounts.json' });
});
