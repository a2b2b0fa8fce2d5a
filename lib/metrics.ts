import * as http from 'node:http';
import type { ActivityInterceptorsFactory } from '@temporalio/worker';

/**
 * The pipeline's own Prometheus metrics (the Temporal runtime exports its own — task latencies,
 * slots, polls — on a separate port via Runtime.install telemetryOptions). A tiny registry of
 * labelled counters, rendered in the Prometheus text format, served on 127.0.0.1 only.
 */
type Labels = Record<string, string>;

export class Counter {
  private readonly values = new Map<string, { labels: Labels; value: number }>();
  constructor(
    readonly name: string,
    readonly help: string,
  ) {
    if (!/^[a-zA-Z_:][a-zA-Z0-9_:]*$/.test(name)) throw new Error(`bad metric name ${name}`);
  }
  inc(labels: Labels = {}, by = 1): void {
    const key = JSON.stringify(Object.entries(labels).sort());
    const entry = this.values.get(key) ?? { labels, value: 0 };
    entry.value += by;
    this.values.set(key, entry);
  }
  get(labels: Labels = {}): number {
    return this.values.get(JSON.stringify(Object.entries(labels).sort()))?.value ?? 0;
  }
  render(): string {
    const esc = (v: string) => v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} counter`];
    for (const { labels, value } of this.values.values()) {
      const l = Object.entries(labels)
        .map(([k, v]) => `${k}="${esc(v)}"`)
        .join(',');
      lines.push(`${this.name}${l ? `{${l}}` : ''} ${value}`);
    }
    return lines.join('\n');
  }
}

export class MetricsRegistry {
  private readonly counters: Counter[] = [];
  counter(name: string, help: string): Counter {
    const c = new Counter(name, help);
    this.counters.push(c);
    return c;
  }
  render(): string {
    return this.counters.map((c) => c.render()).join('\n') + '\n';
  }
}

export function pipelineMetrics(registry = new MetricsRegistry()) {
  return {
    registry,
    rowsLoaded: registry.counter('dag_bronze_rows_loaded_total', 'Rows loaded into bronze, by source'),
    rowsQuarantined: registry.counter('dag_bronze_rows_quarantined_total', 'Rows quarantined by the source contracts, by source'),
    filesFailed: registry.counter('dag_bronze_files_failed_total', 'Landing files that could not be read, by source'),
    checksFailed: registry.counter('dag_quality_checks_failed_total', 'Blocking quality checks that failed, by stage and check'),
    activityFailures: registry.counter('dag_activity_failures_total', 'Activity attempts that threw, by activity type'),
  };
}
export type PipelineMetrics = ReturnType<typeof pipelineMetrics>;

interface LoadResult {
  source: string;
  status: string;
  rowsLoaded: number;
  rowsQuarantined: number;
}
interface ChecksResult {
  stage: string;
  failed: string[];
}

/**
 * A worker activity interceptor that counts from the results activities already return (so no
 * activity code knows about metrics): bronze loads, failed checks, and failed attempts.
 */
export function metricsInterceptor(m: PipelineMetrics): ActivityInterceptorsFactory {
  return (ctx) => ({
    inbound: {
      async execute(input, next) {
        const type = ctx.info.activityType;
        try {
          const result = await next(input);
          if (type === 'loadBronzeFile') {
            const r = result as LoadResult;
            m.rowsLoaded.inc({ source: r.source }, r.rowsLoaded);
            m.rowsQuarantined.inc({ source: r.source }, r.rowsQuarantined);
            if (r.status === 'failed') m.filesFailed.inc({ source: r.source });
          }
          if (type === 'runQualityChecks')
            for (const check of (result as ChecksResult).failed) m.checksFailed.inc({ stage: (result as ChecksResult).stage, check });
          return result;
        } catch (err) {
          m.activityFailures.inc({ activity_type: type });
          throw err;
        }
      },
    },
  });
}

/** Serves GET /metrics on 127.0.0.1 (port 0: any free port). */
export async function startMetricsServer(registry: MetricsRegistry, port = 0): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    if (req.method !== 'GET' || req.url !== '/metrics') return void res.writeHead(404).end();
    res.writeHead(200, { 'Content-Type': 'text/plain; version=0.0.4' }).end(registry.render());
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject); // EADDRINUSE: the caller says which setting
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const bound = (server.address() as { port: number }).port;
  return { url: `http://127.0.0.1:${bound}/metrics`, close: () => new Promise((r) => server.close(() => r())) };
}
