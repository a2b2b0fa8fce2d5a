import { WorkflowFailedError } from '@temporalio/client';
import type { Config } from '../config/config';
import { workflowFailed } from './errors';
import { NightlyPipeline } from '../workflows';
import { nightlyWorkflowId } from '../workflows/shared/names';
import { connectClient } from '../temporal/connection';
import { startEmbedded, untilSignal } from './dev';
import { printNightlyResult } from './run';
import { describeConsole } from '../console/start';

/** The README's first command: everything embedded, one nightly run on demo data. */
export async function runNightlyOnce(config: Config, opts: { date: string; rows: number; anomalies: boolean; stay: boolean }): Promise<void> {
  const stack = await startEmbedded(config);
  try {
    process.stdout.write(`Temporal dev server ${stack.address}${stack.uiUrl ? `, Web UI ${stack.uiUrl}` : ''}\n`);
    if (stack.console) process.stdout.write(`${describeConsole(stack.console, config.console.accountsFile)}\n`);
    const client = await connectClient(config, stack.address);
    const workflowId = nightlyWorkflowId(opts.date);
    process.stdout.write(`Starting NightlyPipeline ${workflowId} on ${opts.rows.toLocaleString('en-US')} generated events…\n`);
    const result = await client.workflow
      .execute(NightlyPipeline, {
        taskQueue: config.temporal.taskQueue,
        workflowId,
        workflowIdConflictPolicy: 'FAIL',
        workflowIdReusePolicy: 'ALLOW_DUPLICATE',
        args: [{ date: opts.date, generate: { rows: opts.rows, anomalies: opts.anomalies, seed: 42 } }],
        staticSummary: `Nightly pipeline for ${opts.date} (quickstart, demo data)`,
      })
      .catch((err) => {
        throw err instanceof WorkflowFailedError ? workflowFailed(workflowId, err) : err;
      });
    printNightlyResult(false, result);
    if (stack.uiUrl) process.stdout.write(`See it in the UI: ${stack.uiUrl}/namespaces/${config.temporal.namespace}/workflows/${workflowId}\n`);
    if (!opts.anomalies) {
      process.stdout.write(
        'Next: `npx dag quickstart --date 2026-11-02 --anomalies` plants bad rows: the quality gates block the partition and a\n' +
          'cleaning plan waits for a decision — in another terminal `npx dag approvals list`, `show cleaning-2026-11-02`,\n' +
          '`accept cleaning-2026-11-02 --reason "…"` (signed as local-approver with .data/approvers/local-approver.key),\n' +
          `or sign in to the approvals console${stack.console ? ` ${stack.console.url}` : ''} and decide on the plan's page.\n`,
      );
    }
    await client.connection.close();
    if (opts.stay) {
      process.stdout.write('Server and worker keep running; Ctrl-C to stop.\n');
      await untilSignal();
    }
  } finally {
    await stack.stop();
  }
}
