import { Command, CommanderError } from 'commander';
import { loadConfig, type Config } from '../config/config';
import { connectClient, temporalAddress } from '../temporal/connection';
import { CliError, explain } from './errors';
import { registerRunCommands } from './run';
import { registerScheduleCommands } from './schedule';
import { registerDevCommands } from './dev-commands';
import { registerBackfillCommand } from './backfill';
import { registerPersonaCommands } from './personas';
import { registerApprovalCommands } from './approvals';
import { registerMmmCommands } from './mmm';
import { registerContractCommands } from './contracts';
import { registerLandingCommands } from './landing';
import { registerConsoleCommands } from './console';

/** Lazily built so `dag --help` works even with a broken configuration. */
export interface CliContext {
  config(): Config;
  client(): ReturnType<typeof connectClient>;
}

export function buildProgram(): Command {
  let cfg: Config | undefined;
  const ctx: CliContext = {
    config: () => (cfg ??= loadConfig()),
    client: () => connectClient(ctx.config()),
  };
  const program = new Command('dag')
    .description('Marketing-analytics data DAG on Temporal: bronze → silver → gold with quality gates')
    .showSuggestionAfterError(true)
    .exitOverride();
  registerDevCommands(program, ctx);
  registerRunCommands(program, ctx);
  registerScheduleCommands(program, ctx);
  registerBackfillCommand(program, ctx);
  registerPersonaCommands(program, ctx);
  registerApprovalCommands(program, ctx);
  registerMmmCommands(program, ctx);
  registerContractCommands(program, ctx);
  registerLandingCommands(program, ctx);
  registerConsoleCommands(program, ctx);
  return program;
}

export async function main(argv: string[]): Promise<void> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      // Commander already printed its one-line message (unknown command, missing argument…).
      process.exitCode = err.exitCode;
      return;
    }
    let address: string | undefined;
    try {
      address = temporalAddress(loadConfig());
    } catch {
      /* the config error itself is explained below */
    }
    process.stderr.write(`dag: ${explain(err, address)}\n`);
    process.exitCode = err instanceof CliError ? err.code : 1;
  }
}
