import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { WorkflowExecutionAlreadyStartedError, WorkflowFailedError, type Client } from '@temporalio/client';
import type { Command } from 'commander';
import { loadConfig, type Config } from '../config/config';
import { createObjectStore } from '../adapters/object-store';
import type { ImportResult } from '../activities/personas/import-vendor';
import { loadActiveFromStore } from '../activities/personas/registry';
import { startPersonaEndpoint } from '../personas/http-server';
import { readVendorFile, VendorFileError } from '../personas/vendor-file';
import { PersonaModelImport } from '../workflows/persona-model-import';
import { CliError } from './errors';
import { print } from './output';

/**
 * `dag personas import <file>` uploads a vendor persona file to the object store and has the
 * worker register it (workflow PersonaModelImport): the CLI never opens the warehouse, so it
 * works while a worker runs. `dag personas serve` labels posted feature vectors with the active
 * model over HTTP; it reads only the object store (the active pointer and the model artifact).
 */
export function registerPersonaCommands(program: Command, ctx?: { config(): Config; client?(): Promise<Client> }): void {
  const config = () => (ctx ? ctx.config() : loadConfig());
  const personas = program.command('personas').description('persona models: import a vendor file, serve real-time labels');
  personas
    .command('import <file>')
    .description('import a vendor persona file (CSV or JSON) as the next model version, through the worker')
    .option('--activate', 'make it active even when another version is active')
    .option('--threshold <distance>', "unassigned threshold in the file's own units (required when the file has no mean/std scaler)")
    .option('--json', 'print JSON')
    .action(async (file: string, opts: { activate?: boolean; threshold?: string; json?: boolean }) => {
      const threshold = opts.threshold === undefined ? undefined : Number(opts.threshold);
      if (threshold !== undefined && !(threshold > 0 && Number.isFinite(threshold)))
        throw new CliError(`--threshold must be a positive number, got ${JSON.stringify(opts.threshold)}`);
      let bytes: Buffer;
      try {
        bytes = fs.readFileSync(file);
        readVendorFile(file, bytes.toString('utf8')); // a bad file is refused here, before anything starts
      } catch (err) {
        if (err instanceof VendorFileError || (err as NodeJS.ErrnoException).code) throw new CliError(`refused: ${(err as Error).message}`);
        throw err;
      }
      const cfg = config();
      const digest = createHash('sha256').update(bytes).digest('hex').slice(0, 16);
      const key = `ml/imports/${digest}/${path.basename(file)}`;
      await createObjectStore(cfg).put(key, bytes);
      if (!ctx?.client) throw new CliError('dag personas import needs a Temporal connection');
      const client = await ctx.client();
      const workflowId = `persona-import-${digest}`;
      try {
        const result = await client.workflow.execute(PersonaModelImport, {
          taskQueue: cfg.temporal.taskQueue,
          workflowId,
          workflowIdConflictPolicy: 'FAIL',
          args: [{ key, fileName: path.basename(file), activate: !!opts.activate, ...(threshold === undefined ? {} : { threshold }) }],
          staticSummary: `Import persona model ${path.basename(file)}`,
        });
        print(!!opts.json, result, () => describeImport(file, result));
      } catch (err) {
        if (err instanceof WorkflowExecutionAlreadyStartedError) throw new CliError(`an import of the same file is already running (${workflowId})`);
        if (err instanceof WorkflowFailedError) throw new CliError(`refused: ${rootCause(err)}`);
        throw err;
      } finally {
        await client.connection.close();
      }
    });
  personas
    .command('serve')
    .description('label feature vectors over HTTP on 127.0.0.1 (POST /label)')
    .option('--port <port>', 'port to listen on (0 = any free port)', process.env.DAG_PERSONA_PORT ?? '8787')
    .option('--threshold <distance>', 'distance beyond which a vector is unassigned')
    .action(async (opts: { port: string; threshold?: string }) => {
      const port = Number(opts.port);
      const threshold = opts.threshold === undefined ? undefined : Number(opts.threshold);
      if (!Number.isInteger(port) || port < 0 || port > 65535) throw new CliError(`--port must be 0..65535, got ${JSON.stringify(opts.port)}`);
      if (threshold !== undefined && !(threshold > 0)) throw new CliError(`--threshold must be a positive number, got ${JSON.stringify(opts.threshold)}`);
      const store = createObjectStore(config());
      const endpoint = await startPersonaEndpoint({ port, threshold, loadModel: () => loadActiveFromStore(store) }).catch((err: Error) => {
        throw new CliError(`cannot serve personas: ${err.message}`);
      });
      process.stdout.write(`persona labels at ${endpoint.url}/label (Ctrl-C to stop)\n`);
      await new Promise<void>((resolve) => process.once('SIGINT', resolve).once('SIGTERM', resolve));
      await endpoint.close();
    });
}

function describeImport(file: string, r: ImportResult): string {
  const state = r.activated ? ' (active)' : ' (candidate; use --activate to make it active)';
  const units = r.scaler === 'vendor' ? "the vendor's scaler" : 'raw units, no scaler';
  const e = r.expectedUnassigned;
  const expected = e
    ? `expected unassigned on ${e.sampleSize} participants of ${e.date}: ${(e.share * 100).toFixed(1)} %`
    : 'no survey participants loaded yet to estimate the unassigned share';
  return `imported ${r.personas.length} personas from ${file} as v${r.version}${state}; threshold ${r.threshold} (${units}); ${expected}`;
}

/** The innermost failure message (the activity's own line, not "Activity task failed"). */
function rootCause(err: unknown): string {
  let e = err as { message?: string; cause?: unknown };
  while (e.cause) e = e.cause as typeof e;
  return String(e.message ?? err).split('\n')[0];
}
