import * as fs from 'node:fs';
import * as path from 'node:path';
import { WorkflowExecutionAlreadyStartedError, WorkflowFailedError } from '@temporalio/client';
import type { Command } from 'commander';
import { createObjectStore } from '../adapters/object-store';
import { parseCsv } from '../activities/mmm/csv';
import { RobynMmm, robynMmmInput, robynMmmWorkflowId } from '../workflows/robyn-mmm';
import { CliError, cliNumber, validateWorkflowInput, workflowFailed } from './errors';
import type { CliContext } from './main';
import { print } from './output';
import { parseDate } from './run';

export function registerMmmCommands(program: Command, ctx: CliContext): void {
  const mmm = program.command('mmm').description('Robyn marketing-mix models');
  mmm
    .command('upload <file>')
    .description('put a dataset CSV (one row per week) into the object store for `dag mmm run --csv <key>`')
    .option('--key <key>', 'object key (default mmm/uploads/<file name>)')
    .option('--json', 'print JSON')
    .action(async (file: string, opts: { key?: string; json?: boolean }) => {
      const up = await upload(ctx.config(), file, opts.key);
      print(
        !!opts.json,
        up,
        () =>
          `uploaded ${file} (${up.rows} rows; columns ${up.columns.join(', ')}) to ${up.key}\n` +
          `run it with: dag mmm run --csv ${up.key} --variables '{"date":"…","depVar":"…","paidMediaSpends":["…"]}'`,
      );
    });
  mmm
    .command('run')
    .description('start RobynMmm for a country (one run per country at a time: id robyn-mmm-<country>)')
    .option('--country <code>', 'country', 'DE')
    .option('--from <date>', 'first week (default: 104 weeks back)')
    .option('--to <date>', 'last week (default: last complete week)')
    .option('--iterations <n>', 'Robyn iterations per trial', '2000')
    .option('--trials <n>', 'Robyn trials', '5')
    .option('--csv <file-or-key>', 'dataset CSV instead of gold + demo spend: a local file (uploaded first, as `dag mmm upload`) or an object-store key')
    .option('--variables <json>', 'with --csv: {"date":"DATE","depVar":"revenue","paidMediaSpends":["tv_S",…],…}')
    .option('--hyperparameters <json>', 'ranges overriding the defaults, e.g. {"tv_S_thetas":[0.3,0.8]} (keys checked before anything starts)')
    .option('--seed <n>', 'random seed of the model search')
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
        hyperparameters?: string;
        seed?: string;
        wait?: boolean;
        json?: boolean;
      }) => {
        const config = ctx.config();
        const raw = {
          country: opts.country,
          ...(opts.from ? { from: parseDate(opts.from) } : {}),
          ...(opts.to ? { to: parseDate(opts.to) } : {}),
          iterations: cliNumber(opts.iterations),
          trials: cliNumber(opts.trials),
          ...(opts.seed !== undefined ? { seed: cliNumber(opts.seed) } : {}),
          ...(opts.csv ? { source: { kind: 'csv' as const, key: opts.csv, variables: parseJson(opts.variables ?? '', '--variables') } } : {}),
          ...(opts.hyperparameters !== undefined ? { hyperparameters: parseJson(opts.hyperparameters, '--hyperparameters') } : {}),
        };
        // The workflow's own schema, before anything is uploaded or started: one line naming every problem.
        validateWorkflowInput(robynMmmInput, raw, 'RobynMmm');
        const input = opts.csv && isLocalFile(opts.csv) ? { ...raw, source: { ...raw.source!, key: (await upload(config, opts.csv)).key } } : raw;
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
    throw new CliError(`${flag} must be JSON${flag === '--variables' ? ' (with --csv it is required)' : ''}`);
  }
}

const isLocalFile = (p: string) => fs.existsSync(p) && fs.statSync(p).isFile();

/** Puts a local dataset CSV into the object store (mmm/uploads/<name>) where RobynMmm reads it. */
async function upload(
  config: ReturnType<CliContext['config']>,
  file: string,
  key?: string,
): Promise<{ key: string; uri: string; rows: number; columns: string[] }> {
  if (!isLocalFile(file)) throw new CliError(`no such file: ${file}`);
  const bytes = fs.readFileSync(file);
  const csv = parseCsv(bytes.toString('utf8'));
  if (!csv.columns.length || !csv.rows.length) throw new CliError(`${path.basename(file)} is not a CSV with a header and rows`);
  const target = key ?? `mmm/uploads/${path.basename(file)}`;
  const store = createObjectStore(config);
  await store.put(target, bytes);
  return { key: target, uri: store.uri(target), rows: csv.rows.length, columns: csv.columns };
}
