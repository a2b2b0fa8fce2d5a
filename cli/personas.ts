import type { Command } from 'commander';
import { loadConfig, type Config } from '../config/config';
import { createObjectStore } from '../adapters/object-store';
import { openDeps } from '../lib/open-deps';
import { importVendorFile } from '../activities/personas/import-vendor';
import { loadActiveFromStore } from '../activities/personas/registry';
import { startPersonaEndpoint } from '../personas/http-server';
import { VendorFileError } from '../personas/vendor-file';
import { CliError } from './errors';
import { print } from './output';

/**
 * `dag personas import <file>` registers a vendor persona file as the next model version;
 * `dag personas serve` labels posted feature vectors with the active model over HTTP.
 * Import opens the warehouse itself: with DuckDB, stop the worker first (one writer per file).
 * Serve reads only the object store (the active pointer and the model artifact).
 */
export function registerPersonaCommands(program: Command, ctx?: { config(): Config }): void {
  const config = () => (ctx ? ctx.config() : loadConfig());
  const personas = program.command('personas').description('persona models: import a vendor file, serve real-time labels');
  personas
    .command('import <file>')
    .description('import a vendor persona file (CSV or JSON) as the next model version')
    .option('--activate', 'make it active even when another version is active')
    .option('--json', 'print JSON')
    .action(async (file: string, opts: { activate?: boolean; json?: boolean }) => {
      const deps = await openDeps(config());
      try {
        const { model, activated } = await importVendorFile(deps, file, { activate: opts.activate });
        print(
          !!opts.json,
          { version: model.version, personas: model.personas.map((p) => p.name), activated },
          () =>
            `imported ${model.personas.length} personas from ${file} as v${model.version}${activated ? ' (active)' : ' (candidate; use --activate to make it active)'}`,
        );
      } catch (err) {
        if (err instanceof VendorFileError || (err as NodeJS.ErrnoException).code === 'ENOENT') throw new CliError(`refused: ${(err as Error).message}`);
        throw err;
      } finally {
        await deps.warehouse.close();
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
