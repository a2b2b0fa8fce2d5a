import { ConfigError } from '../config/config';

/** An error whose message is the whole story: printed as one line, exit code 1 (or `code`). */
export class CliError extends Error {
  override name = 'CliError';
  constructor(
    message: string,
    readonly code = 1,
  ) {
    super(message);
  }
}

/** Turns what users can cause (bad config, unreachable server) into one readable line. */
export function explain(err: unknown, address?: string): string {
  if (err instanceof CliError || err instanceof ConfigError) return err.message;
  const msg = String((err as Error)?.message ?? err);
  if (/ECONNREFUSED|UNAVAILABLE|Failed to connect|connect ETIMEDOUT|deadline exceeded|transport error/i.test(msg)) {
    return `cannot reach Temporal at ${address ?? 'the configured address'}: start it with \`dag dev\` (embedded) or set TEMPORAL_ADDRESS`;
  }
  return msg.split('\n')[0];
}
