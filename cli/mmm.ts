import { WorkflowExecutionAlreadyStartedError, WorkflowFailedError } from '@temporalio/client';
import type { Command } from 'commander';
import { RobynMmm, robynMmmInput, robynMmmWorkflowId } from '../workflows/robyn-mmm';
import { CliError, cliNumber, validateWorkflowInput, workflowFailed } from './errors';
import type { CliContext } from './main';
import { print } from './output';
import { parseDate } from './run';

export function registerMmmCommands(program: Command, ctx: CliContext): void {
  const mmm = program.command('mmm').description('Robyn marketing-mix models');
  mmm
    .command('run')
    .description('start RobynMmm for a country (one run per country at a time: id robyn-mmm-<country>)')
    .option('--country <code>', 'country', 'DE')
    .option('--from <date>', 'first week (default: 104 weeks back)')
    .option('--to <date>', 'last week (default: last complete week)')
    .option('--iterations <n>', 'Robyn iterations per trial', '2000')
    .option('--trials <n>', 'Robyn trials', '5')
    .option('--csv <key>', 'dataset CSV in the object store instead of gold + demo spend')
    .option('--variables <json>', 'with --csv: {"date":"DATE","depVar":"revenue","paidMediaSpends":["tv_S",…],…}')
    .option('--wait', 'wait for the result')
    .option('--json', 'print JSON')
    .action(
      async (opts: {
        country: string;
        from?: string;
        to?: string;
        iterations: string;
        trials: string;
        csv?: string;
        variables?: string;
        wait?: boolean;
        json?: boolean;
      }) => {
        const input = {
          country: opts.country,
          ...(opts.from ? { from: parseDate(opts.from) } : {}),
          ...(opts.to ? { to: parseDate(opts.to) } : {}),
          iterations: cliNumber(opts.iterations),
          trials: cliNumber(opts.trials),
          ...(opts.csv ? { source: { kind: 'csv' as const, key: opts.csv, variables: parseJson(opts.variables ?? '', '--variables') } } : {}),
        };
        validateWorkflowInput(robynMmmInput, input, 'RobynMmm'); // the workflow's own schema, before anything starts
        const config = ctx.config();
        const client = await ctx.client();
        const workflowId = robynMmmWorkflowId(opts.country);
        try {
          const handle = await client.workflow.start(RobynMmm, {
            taskQueue: config.temporal.taskQueue,
            workflowId,
            workflowIdConflictPolicy: 'FAIL',
            args: [input as never],
            staticSummary: `Robyn MMM for ${opts.country}`,
          });
          if (!opts.wait) return print(!!opts.json, { workflowId, runId: handle.firstExecutionRunId }, () => `started ${workflowId}`);
          const result = await handle.result();
          print(!!opts.json, result, () => JSON.stringify(result, null, 2));
        } catch (err) {
          if (err instanceof WorkflowExecutionAlreadyStartedError) throw new CliError(`a RobynMmm run for ${opts.country} is already running (${workflowId})`);
          if (err instanceof WorkflowFailedError) throw workflowFailed(workflowId, err);
          throw err;
        } finally {
          await client.connection.close();
        }
      },
    );
}

function parseJson(text: string, flag: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new CliError(`${flag} must be JSON (with --csv it is required)`);
  }
}
