import * as fs from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import { APPROVAL_ENV_NAMES, approvalsFromEnv, approvalsSchema, parseJsonWithoutEcho } from './approvals-config';
import { ConfigError } from './config-error';
import { isoDate } from '../lib/dates';

/**
 * The one configuration object, built once at worker / CLI start from environment variables
 * (and an optional JSON file named by DAG_CONFIG_FILE; env wins). Every setting has a default
 * that gives the embedded stack; a malformed value fails fast with one line naming it.
 * Secrets are kept in `secrets` and never printed (see `redactedConfig`).
 */
const csvList = z.string().transform((s) =>
  s
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean),
);

const CHANNEL_NAME = /^[a-z][a-z0-9_]{0,39}$/;

/** user@host; local hosts (user@localhost) are fine for a relay on the same machine. */
const mailbox = z.string().regex(/^[^\s@<>,]+@[^\s@<>,]+$/, 'must be an e-mail address like ops@example.com');

export const configSchema = z.object({
  dataDir: z.string().min(1),
  temporal: z.object({
    /** Unset → the embedded dev server is started (by `dag dev` / tests) on localhost. */
    address: z.string().optional(),
    namespace: z.string().default('default'),
    taskQueue: z
      .string()
      .regex(/^[A-Za-z0-9._-]+$/)
      .default('marketing-dag'),
    apiKey: z.string().optional(),
    tls: z
      .object({ certPath: z.string().optional(), keyPath: z.string().optional(), caPath: z.string().optional(), serverName: z.string().optional() })
      .optional(),
    devServer: z.object({
      port: z.coerce.number().int().min(1).max(65535).default(7233),
      uiPort: z.coerce.number().int().min(1).max(65535).default(8233),
      cliPath: z.string().optional(),
    }),
  }),
  worker: z.object({
    maxConcurrentActivities: z.coerce.number().int().min(1).max(1000).default(8),
    maxConcurrentWorkflowTasks: z.coerce.number().int().min(1).max(1000).default(40),
    /** Prometheus text of the pipeline's counters (`dag worker`; 0 = any free port). */
    metricsPort: z.coerce.number().int().min(0).max(65535).default(9465),
    /** Prometheus exporter of Temporal's runtime metrics (`dag worker`; 0 = any free port, like DAG_METRICS_PORT). */
    temporalMetricsPort: z.coerce.number().int().min(0).max(65535).default(9464),
  }),
  warehouse: z.discriminatedUnion('kind', [
    z.object({
      kind: z.literal('duckdb'),
      path: z.string().min(1),
      threads: z.coerce.number().int().min(1).optional(),
      /** DuckDB spills beyond this (its own default is 80 % of RAM): keeps the worker's RSS bounded. */
      memoryLimit: z
        .string()
        .regex(/^\d+(\.\d+)?\s*(KB|MB|GB|TB|KiB|MiB|GiB|TiB)$/i, 'must be a size like "1GB"')
        .default('1GB'),
    }),
    z.object({
      kind: z.literal('snowflake'),
      account: z.string().min(1),
      username: z.string().min(1),
      database: z.string().min(1),
      warehouse: z.string().min(1),
      role: z.string().optional(),
      schema: z.string().optional(),
      /** Host/port overrides exist for emulators (fakesnow); unset for the real service. */
      host: z.string().optional(),
      port: z.coerce.number().int().optional(),
      protocol: z.enum(['http', 'https']).optional(),
    }),
  ]),
  objectStore: z.discriminatedUnion('kind', [
    z.object({ kind: z.literal('local'), root: z.string().min(1) }),
    z.object({
      kind: z.literal('gcs'),
      bucket: z.string().min(1),
      prefix: z.string().default(''),
      apiEndpoint: z.string().optional(),
      projectId: z.string().optional(),
    }),
  ]),
  planner: z.object({
    kind: z.enum(['rules', 'openai']),
    model: z.string().default('gpt-4o-mini'),
    baseUrl: z.string().url().optional(),
  }),
  launcher: z.object({
    kind: z.enum(['local', 'docker', 'cloudrun']).default('local'),
    image: z.string().default('marketing-dag/robyn-runner:latest'),
    cloudRunJob: z.string().optional(),
  }),
  schedule: z.object({
    cron: z.string().default('0 2 * * *'),
    timeZone: z.string().default('UTC'),
    catchupWindow: z
      .string()
      .regex(/^\d+\s*(s|m|h|d|seconds?|minutes?|hours?|days?)$/, 'must be a duration like "3 days" or "12h"')
      .default('3 days'),
  }),
  quality: z.object({
    quarantineErrorRate: z.coerce.number().min(0).max(1).default(0.05),
    /** Per-check overrides, e.g. {"row_count_swing": {"severity": "blocking", "threshold": 0.3}}. */
    checks: z
      .record(
        z.string(),
        z.object({ severity: z.enum(['blocking', 'warning']).optional(), threshold: z.number().optional(), enabled: z.boolean().optional() }).strict(),
      )
      .default({}),
  }),
  pipeline: z.object({
    /**
     * The partition dates this deployment accepts (DAG_PARTITION_MIN, DAG_PARTITION_MAX): a run
     * for a date outside is refused by the CLI and at the workflow's start (every partition date is
     * also within 1900–2199 whatever is configured, see lib/dates.ts).
     */
    partitionMin: isoDate.default('2000-01-01'),
    partitionMax: isoDate.default('2099-12-31'),
    sessionGapMinutes: z.coerce
      .number()
      .int()
      .min(1)
      .max(24 * 60)
      .default(30),
  }),
  /** Late data and money (issue #14): how far back late facts re-open results; the reporting currency. */
  lateData: z.object({
    /** A nightly re-attributes earlier dates its facts belong to, at most this many days back. */
    lookbackDays: z.coerce.number().int().min(0).max(90).default(7),
    /** Row-level checks (orphan_purchases) look for the client's sessions this many days back. */
    sessionLookbackDays: z.coerce.number().int().min(0).max(366).default(30),
    /** Every revenue metric is converted into this ISO 4217 currency (rates from the fx_rates source). */
    reportingCurrency: z
      .string()
      .regex(/^[A-Z]{3}$/, 'must be a three-letter currency code like EUR')
      .default('EUR'),
  }),
  mmm: z.object({
    /** Countries with a weekly RobynMmm schedule (`dag schedule apply`). */
    countries: csvList.default(['DE']),
  }),
  approvals: approvalsSchema,
  /** A folder of the user's contract files (`*.contract.ts`, `*.odcs.yaml`), read at worker start. */
  contracts: z.object({ dir: z.string().optional() }),
  /** `dag console`: the approvals console (loopback only; put a TLS proxy in front to reach it from elsewhere). */
  console: z.object({
    port: z.coerce.number().int().min(0).max(65535).default(8790),
    host: z.enum(['127.0.0.1', '::1', 'localhost'], { message: 'must be a loopback address (127.0.0.1, ::1 or localhost)' }).default('127.0.0.1'),
    /** The address people open (links in notifications); default http://127.0.0.1:<port>. https → Secure cookies. */
    publicUrl: z.string().url().optional(),
    /** Local accounts (scrypt hashes), created on first start. */
    accountsFile: z.string().min(1),
    /** Approver key files the console signs with, `<name>.key` per account (default: where `dag approvals keygen` writes them). */
    keysDir: z.string().min(1),
    sessionHours: z.coerce
      .number()
      .min(0.01)
      .max(24 * 30)
      .default(12),
    /** Where the Temporal Web UI is, for links to runs; default the embedded one. */
    temporalUiUrl: z.string().url().optional(),
  }),
  /** Who hears about decisions: named webhooks (URLs are secrets, below) and e-mail. */
  notifications: z.object({
    webhooks: z.record(z.string().regex(CHANNEL_NAME), z.enum(['slack', 'generic'])).default({}),
    email: z.object({ to: z.array(mailbox).min(1), from: mailbox }).optional(),
  }),
  secrets: z.object({
    openaiApiKey: z.string().optional(),
    snowflakePassword: z.string().optional(),
    snowflakePrivateKeyPath: z.string().optional(),
    snowflakePrivateKeyPassphrase: z.string().optional(),
    payloadEncryptionKey: z.string().optional(),
    /** Webhook channel name → URL (Slack's URL is its credential). */
    webhookUrls: z.record(z.string(), z.string().url('must be a URL')).default({}),
    /** smtp://user:password@host:port */
    smtpUrl: z.string().url().optional(),
  }),
  logLevel: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
});

export type Config = z.infer<typeof configSchema>;
export type Env = Record<string, string | undefined>;

/** Builds the configuration from env (+ optional file). Throws ConfigError with one readable line. */
export function loadConfig(env: Env = process.env, cwd = process.cwd()): Config {
  const file = env.DAG_CONFIG_FILE ? readConfigFile(env.DAG_CONFIG_FILE) : {};
  const e = { ...file, ...stripEmpty(env) };
  const dataDir = path.resolve(cwd, e.DAG_DATA_DIR ?? '.data');
  const raw = {
    dataDir,
    temporal: {
      address: e.TEMPORAL_ADDRESS,
      namespace: e.TEMPORAL_NAMESPACE,
      taskQueue: e.DAG_TASK_QUEUE,
      apiKey: e.TEMPORAL_API_KEY,
      tls:
        e.TEMPORAL_TLS_CERT || e.TEMPORAL_TLS_CA
          ? { certPath: e.TEMPORAL_TLS_CERT, keyPath: e.TEMPORAL_TLS_KEY, caPath: e.TEMPORAL_TLS_CA, serverName: e.TEMPORAL_TLS_SERVER_NAME }
          : undefined,
      devServer: { port: e.DAG_TEMPORAL_PORT, uiPort: e.DAG_TEMPORAL_UI_PORT, cliPath: e.TEMPORAL_CLI_PATH },
    },
    worker: {
      maxConcurrentActivities: e.DAG_MAX_CONCURRENT_ACTIVITIES,
      maxConcurrentWorkflowTasks: e.DAG_MAX_CONCURRENT_WORKFLOW_TASKS,
      metricsPort: e.DAG_METRICS_PORT,
      temporalMetricsPort: e.DAG_TEMPORAL_METRICS_PORT,
    },
    warehouse:
      (e.DAG_WAREHOUSE ?? 'duckdb') === 'snowflake'
        ? {
            kind: 'snowflake',
            account: e.SNOWFLAKE_ACCOUNT,
            username: e.SNOWFLAKE_USER,
            database: e.SNOWFLAKE_DATABASE,
            warehouse: e.SNOWFLAKE_WAREHOUSE,
            role: e.SNOWFLAKE_ROLE,
            schema: e.SNOWFLAKE_SCHEMA,
            host: e.SNOWFLAKE_HOST,
            port: e.SNOWFLAKE_PORT,
            protocol: e.SNOWFLAKE_PROTOCOL,
          }
        : {
            kind: e.DAG_WAREHOUSE ?? 'duckdb',
            path: path.resolve(dataDir, e.DAG_DUCKDB_PATH ?? 'warehouse.duckdb'),
            threads: e.DAG_DUCKDB_THREADS,
            memoryLimit: e.DAG_DUCKDB_MEMORY_LIMIT,
          },
    objectStore:
      (e.DAG_OBJECT_STORE ?? 'local') === 'gcs'
        ? { kind: 'gcs', bucket: e.DAG_GCS_BUCKET, prefix: e.DAG_GCS_PREFIX, apiEndpoint: e.DAG_GCS_ENDPOINT, projectId: e.GOOGLE_CLOUD_PROJECT }
        : { kind: e.DAG_OBJECT_STORE ?? 'local', root: path.resolve(dataDir, e.DAG_OBJECT_ROOT ?? 'objects') },
    planner: {
      kind: e.DAG_PLANNER ?? (e.OPENAI_API_KEY || e.OPENAI_BASE_URL ? 'openai' : 'rules'),
      model: e.OPENAI_MODEL,
      baseUrl: e.OPENAI_BASE_URL,
    },
    launcher: { kind: e.DAG_LAUNCHER, image: e.DAG_ROBYN_IMAGE, cloudRunJob: e.DAG_CLOUD_RUN_JOB },
    schedule: { cron: e.DAG_NIGHTLY_CRON, timeZone: e.DAG_NIGHTLY_TZ, catchupWindow: e.DAG_SCHEDULE_CATCHUP },
    quality: { quarantineErrorRate: e.DAG_MAX_QUARANTINE_RATE, checks: jsonSetting(e.DAG_CHECKS, 'DAG_CHECKS') },
    pipeline: { partitionMin: e.DAG_PARTITION_MIN, partitionMax: e.DAG_PARTITION_MAX, sessionGapMinutes: e.DAG_SESSION_GAP_MINUTES },
    lateData: {
      lookbackDays: e.DAG_LATE_DATA_LOOKBACK_DAYS,
      sessionLookbackDays: e.DAG_CHECK_SESSION_LOOKBACK_DAYS,
      reportingCurrency: e.DAG_REPORTING_CURRENCY,
    },
    mmm: { countries: e.DAG_MMM_COUNTRIES },
    approvals: approvalsFromEnv(e, dataDir),
    contracts: { dir: e.DAG_CONTRACTS_DIR ? path.resolve(cwd, e.DAG_CONTRACTS_DIR) : undefined },
    console: {
      port: e.DAG_CONSOLE_PORT,
      host: e.DAG_CONSOLE_HOST,
      publicUrl: e.DAG_CONSOLE_URL,
      accountsFile: path.resolve(dataDir, e.DAG_CONSOLE_ACCOUNTS ?? 'console/accounts.json'),
      keysDir: path.resolve(dataDir, e.DAG_CONSOLE_KEYS_DIR ?? 'approvers'),
      sessionHours: e.DAG_CONSOLE_SESSION_HOURS,
      temporalUiUrl: e.DAG_TEMPORAL_UI_URL,
    },
    notifications: notificationSettings(e),
    secrets: {
      openaiApiKey: e.OPENAI_API_KEY,
      snowflakePassword: e.SNOWFLAKE_PASSWORD,
      snowflakePrivateKeyPath: e.SNOWFLAKE_PRIVATE_KEY_PATH,
      snowflakePrivateKeyPassphrase: e.SNOWFLAKE_PRIVATE_KEY_PASSPHRASE,
      payloadEncryptionKey: e.DAG_PAYLOAD_KEY,
      webhookUrls: webhookUrls(e),
      smtpUrl: e.DAG_SMTP_URL,
    },
    logLevel: e.DAG_LOG_LEVEL,
  };
  const parsed = configSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ConfigError(`configuration: ${settingName(issue.path)}: ${issue.message}`);
  }
  const cfg = parsed.data;
  if (cfg.pipeline.partitionMin > cfg.pipeline.partitionMax)
    throw new ConfigError(`configuration: DAG_PARTITION_MIN ${cfg.pipeline.partitionMin} is after DAG_PARTITION_MAX ${cfg.pipeline.partitionMax}`);
  for (const name of Object.keys(cfg.notifications.webhooks))
    if (!cfg.secrets.webhookUrls[name])
      throw new ConfigError(`configuration: ${webhookUrlVar(name)} is required: DAG_NOTIFY_WEBHOOKS names the channel "${name}"`);
  if (cfg.notifications.email && !cfg.secrets.smtpUrl) throw new ConfigError('configuration: DAG_SMTP_URL is required when DAG_NOTIFY_EMAIL_TO is set');
  if (cfg.warehouse.kind === 'snowflake' && !cfg.secrets.snowflakePassword && !cfg.secrets.snowflakePrivateKeyPath) {
    throw new ConfigError('configuration: SNOWFLAKE_PASSWORD or SNOWFLAKE_PRIVATE_KEY_PATH is required when DAG_WAREHOUSE=snowflake');
  }
  return cfg;
}

export { ConfigError };

/** Why these partition dates are refused by this configuration, or undefined when they are all in range. */
export function outsidePartitionRange(cfg: Pick<Config, 'pipeline'>, ...dates: (string | undefined | null)[]): string | undefined {
  const { partitionMin: min, partitionMax: max } = cfg.pipeline;
  const out = dates.find((d) => d && (d < min || d > max));
  return out ? `partition date ${out} is outside the accepted range ${min}..${max} (DAG_PARTITION_MIN, DAG_PARTITION_MAX)` : undefined;
}

/** The config with every secret replaced by "***", safe to log or return. */
export function redactedConfig(cfg: Config): Config {
  const secrets = Object.fromEntries(
    Object.entries(cfg.secrets).map(([k, v]) => [k, typeof v === 'object' ? Object.fromEntries(Object.keys(v).map((n) => [n, '***'])) : v ? '***' : undefined]),
  );
  return { ...cfg, temporal: { ...cfg.temporal, apiKey: cfg.temporal.apiKey ? '***' : undefined }, secrets } as Config;
}

/** All configured secret values, for scrubbing logs and tests that scan for leaks. */
export function secretValues(cfg: Config): string[] {
  return [...Object.values(cfg.secrets), ...Object.values(cfg.secrets.webhookUrls), ...smtpPassword(cfg.secrets.smtpUrl), cfg.temporal.apiKey].filter(
    (v): v is string => typeof v === 'string' && v.length >= 4,
  );
}

/**
 * DAG_NOTIFY_WEBHOOKS="approvers=slack,audit=generic" names the channels and their body format;
 * each URL is a secret of its own, DAG_WEBHOOK_<NAME>_URL, so workflows and logs only ever carry names.
 */
function notificationSettings(e: Record<string, string>) {
  const webhooks = e.DAG_NOTIFY_WEBHOOKS
    ? Object.fromEntries(
        e.DAG_NOTIFY_WEBHOOKS.split(',')
          .map((x) => x.trim())
          .filter(Boolean)
          .map((pair) => {
            const [name, format = 'generic'] = pair.split('=').map((x) => x.trim());
            if (!CHANNEL_NAME.test(name))
              throw new ConfigError(
                `configuration: DAG_NOTIFY_WEBHOOKS: ${JSON.stringify(name.slice(0, 40))} is not a channel name (lower-case letters, digits and _)`,
              );
            return [name, format];
          }),
      )
    : undefined;
  const to = e.DAG_NOTIFY_EMAIL_TO?.split(',')
    .map((x) => x.trim())
    .filter(Boolean);
  return { webhooks, email: to?.length ? { to, from: e.DAG_NOTIFY_EMAIL_FROM ?? 'marketing-dag@localhost' } : undefined };
}

/** A stored report (reports/…, ml/drift/…, mmm/runs/…) as the console serves it: a link anyone with the console can open, never a server-local file:// path. */
export function consoleReportLink(cfg: Config, key: string): string {
  return `${consoleUrl(cfg)}/reports/${key.split('/').map(encodeURIComponent).join('/')}`;
}

/** The console's address as people open it: DAG_CONSOLE_URL, else loopback and its port. */
export function consoleUrl(cfg: Config): string {
  return (cfg.console.publicUrl ?? `http://${cfg.console.host === '::1' ? '[::1]' : cfg.console.host}:${cfg.console.port}`).replace(/\/+$/, '');
}

export const webhookUrlVar = (name: string) => `DAG_WEBHOOK_${name.toUpperCase()}_URL`;

function webhookUrls(e: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(e)) {
    const m = /^DAG_WEBHOOK_([A-Z][A-Z0-9_]*)_URL$/.exec(k);
    if (m) out[m[1].toLowerCase()] = v;
  }
  return out;
}

/** The password inside an SMTP URL, scrubbed on its own too (it may appear without the URL around it). */
function smtpPassword(url: string | undefined): string[] {
  if (!url) return [];
  try {
    const p = decodeURIComponent(new URL(url).password);
    return p ? [p] : [];
  } catch {
    return [];
  }
}

function jsonSetting(value: string | undefined, name: string): unknown {
  if (value === undefined) return undefined;
  try {
    return JSON.parse(value);
  } catch (err) {
    throw new ConfigError(`configuration: ${name}: not valid JSON (${(err as Error).message})`);
  }
}

function readConfigFile(file: string): Record<string, string> {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(`configuration: DAG_CONFIG_FILE ${file}: ${(err as Error).message}`);
  }
  // Not JSON.parse: its message quotes the text around the error, which may be a secret's value.
  const parsed = parseJsonWithoutEcho(text, `DAG_CONFIG_FILE ${file}`);
  const obj = z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).safeParse(parsed);
  if (!obj.success) throw new ConfigError(`configuration: DAG_CONFIG_FILE ${file}: must be a flat JSON object of ENV_NAME: value`);
  return Object.fromEntries(Object.entries(obj.data).map(([k, v]) => [k, String(v)]));
}

function stripEmpty(env: Env): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter((kv): kv is [string, string] => typeof kv[1] === 'string' && kv[1] !== ''));
}

// Maps a zod path back to the environment variable a person would set.
const ENV_NAMES: Record<string, string> = {
  'temporal.taskQueue': 'DAG_TASK_QUEUE',
  'temporal.devServer.port': 'DAG_TEMPORAL_PORT',
  'temporal.devServer.uiPort': 'DAG_TEMPORAL_UI_PORT',
  'worker.maxConcurrentActivities': 'DAG_MAX_CONCURRENT_ACTIVITIES',
  'worker.maxConcurrentWorkflowTasks': 'DAG_MAX_CONCURRENT_WORKFLOW_TASKS',
  'worker.metricsPort': 'DAG_METRICS_PORT',
  'worker.temporalMetricsPort': 'DAG_TEMPORAL_METRICS_PORT',
  'warehouse.kind': 'DAG_WAREHOUSE',
  'warehouse.account': 'SNOWFLAKE_ACCOUNT',
  'warehouse.username': 'SNOWFLAKE_USER',
  'warehouse.database': 'SNOWFLAKE_DATABASE',
  'warehouse.warehouse': 'SNOWFLAKE_WAREHOUSE',
  'warehouse.port': 'SNOWFLAKE_PORT',
  'warehouse.threads': 'DAG_DUCKDB_THREADS',
  'warehouse.memoryLimit': 'DAG_DUCKDB_MEMORY_LIMIT',
  'objectStore.kind': 'DAG_OBJECT_STORE',
  'objectStore.bucket': 'DAG_GCS_BUCKET',
  'planner.kind': 'DAG_PLANNER',
  'planner.baseUrl': 'OPENAI_BASE_URL',
  'launcher.kind': 'DAG_LAUNCHER',
  'quality.quarantineErrorRate': 'DAG_MAX_QUARANTINE_RATE',
  'quality.checks': 'DAG_CHECKS',
  'pipeline.sessionGapMinutes': 'DAG_SESSION_GAP_MINUTES',
  'lateData.lookbackDays': 'DAG_LATE_DATA_LOOKBACK_DAYS',
  'lateData.sessionLookbackDays': 'DAG_CHECK_SESSION_LOOKBACK_DAYS',
  'lateData.reportingCurrency': 'DAG_REPORTING_CURRENCY',
  'pipeline.partitionMin': 'DAG_PARTITION_MIN',
  'pipeline.partitionMax': 'DAG_PARTITION_MAX',
  'schedule.catchupWindow': 'DAG_SCHEDULE_CATCHUP',
  'schedule.cron': 'DAG_NIGHTLY_CRON',
  'console.port': 'DAG_CONSOLE_PORT',
  'console.host': 'DAG_CONSOLE_HOST',
  'console.publicUrl': 'DAG_CONSOLE_URL',
  'console.sessionHours': 'DAG_CONSOLE_SESSION_HOURS',
  'console.keysDir': 'DAG_CONSOLE_KEYS_DIR',
  'console.temporalUiUrl': 'DAG_TEMPORAL_UI_URL',
  'notifications.webhooks': 'DAG_NOTIFY_WEBHOOKS',
  'notifications.email.to': 'DAG_NOTIFY_EMAIL_TO',
  'notifications.email.from': 'DAG_NOTIFY_EMAIL_FROM',
  'secrets.smtpUrl': 'DAG_SMTP_URL',
  logLevel: 'DAG_LOG_LEVEL',
  ...APPROVAL_ENV_NAMES,
};
function settingName(p: PropertyKey[]): string {
  const key = p.map(String).join('.');
  if (key.startsWith('secrets.webhookUrls.')) return webhookUrlVar(key.slice('secrets.webhookUrls.'.length));
  const known = Object.keys(ENV_NAMES).find((k) => key === k || key.startsWith(k + '.'));
  return known ? ENV_NAMES[known] + (key === known ? '' : key.slice(known.length)) : key;
}
