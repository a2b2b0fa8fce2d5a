import type { Config } from '../config/config';
import { NightlyPipeline } from '../workflows';
import { nightlyWorkflowId } from '../workflows/shared/names';
import { connectClient } from '../temporal/connection';
import { startEmbedded, untilSignal } from './dev';
import { printNightlyResult } from './run';

/** The README's first command: everything embedded, one nightly run on demo data. */
export async function runNightlyOnce(config: Config, opts: { date: string; rows: number; stay: boolean }): Promise<void> {
  const stack = await startEmbedded(config);
  try {
    process.stdout.write(`Temporal dev server ${stack.address}${stack.uiUrl ? `, Web UI ${stack.uiUrl}` : ''}\n`);
    const client = await connectClient(config, stack.address);
    const workflowId = nightlyWorkflowId(opts.date);
    process.stdout.write(`Starting NightlyPipeline ${workflowId} on ${opts.rows.toLocaleString('en-US')} generated events…\n`);
    const result = await client.workflow.execute(NightlyPipeline, {
      taskQueue: config.temporal.taskQueue,
      workflowId,
      workflowIdConflictPolicy: 'FAIL',
      workflowIdReusePolicy: 'ALLOW_DUPLICATE',
      args: [{ date: opts.date, generate: { rows: opts.rows, anomalies: true, seed: 42 } }],
      staticSummary: `Nightly pipeline for ${opts.date} (quickstart, demo data)`,
    });
    printNightlyResult(false, result);
    if (stack.uiUrl) process.stdout.write(`See it in the UI: ${stack.uiUrl}/namespaces/${config.temporal.namespace}/workflows/${workflowId}\n`);
    await client.connection.close();
    if (opts.stay) {
      process.stdout.write('Server and worker keep running; Ctrl-C to stop.\n');
      await untilSignal();
    }
  } finally {
    await stack.stop();
  }
}
