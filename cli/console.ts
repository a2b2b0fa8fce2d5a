import type { Command } from 'commander';
import { LocalAccounts, generatePassword } from '../console/auth/local-accounts';
import { describeConsole, startConsole } from '../console/start';
import { untilSignal } from './dev';
import { CliError } from './errors';
import type { CliContext } from './main';

/** `dag console` (the approvals web console) and `dag console passwd <name>` (its local accounts). */
export function registerConsoleCommands(program: Command, ctx: CliContext): void {
  const consoleCmd = program
    .command('console')
    .description('the approvals console on loopback (inbox, decision pages, partitions, reports); Ctrl-C stops it')
    .option('--port <port>', 'port (default DAG_CONSOLE_PORT or 8790; 0 = any free port)')
    .action(async (o: { port?: string }) => {
      const config = ctx.config();
      if (o.port !== undefined && !/^\d{1,5}$/.test(o.port)) throw new CliError(`bad --port "${o.port}": a number 0-65535`);
      const cfg = o.port !== undefined ? { ...config, console: { ...config.console, port: Number(o.port) } } : config;
      const client = await ctx.client();
      const running = await startConsole(cfg, client);
      process.stdout.write(`${describeConsole(running, cfg.console.accountsFile)}\nCtrl-C to stop.\n`);
      await untilSignal();
      await running.close();
      await client.connection.close();
    });
  consoleCmd
    .command('passwd <name>')
    .description('create a console account or set its password (prompted, or from stdin with --password-stdin; --generate prints a new one)')
    .option('--password-stdin', 'read the password from standard input')
    .option('--generate', 'generate a password and print it once')
    .action(async (name: string, o: { passwordStdin?: boolean; generate?: boolean }) => {
      const accounts = new LocalAccounts(ctx.config().console.accountsFile);
      const password = o.generate ? generatePassword() : o.passwordStdin ? (await readStdin()).replace(/\r?\n$/, '') : await prompt(`password for ${name}: `);
      try {
        await accounts.setPassword(name, password);
      } catch (err) {
        throw new CliError((err as Error).message);
      }
      process.stdout.write(o.generate ? `${name}  ${password}\n` : `password set for ${name}\n`);
    });
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Reads a line from the terminal without echoing it. */
function prompt(question: string): Promise<string> {
  if (!process.stdin.isTTY) throw new CliError('no terminal to ask for a password: use --password-stdin or --generate');
  return new Promise((resolve) => {
    process.stdout.write(question);
    const stdin = process.stdin;
    stdin.setRawMode(true);
    stdin.resume();
    let value = '';
    const onData = (b: Buffer) => {
      for (const ch of b.toString('utf8')) {
        if (ch === '\r' || ch === '\n') {
          stdin.setRawMode(false);
          stdin.pause();
          stdin.off('data', onData);
          process.stdout.write('\n');
          return resolve(value);
        }
        if (ch === '\u0003') process.exit(130);
        value = ch === '\u007f' ? value.slice(0, -1) : value + ch;
      }
    };
    stdin.on('data', onData);
  });
}
