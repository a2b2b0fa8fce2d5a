import { createScrub } from './scrub';

/**
 * Structured JSON logs, one object per line, with the workflow/run/partition context when an
 * activity logs. Configured secret values are scrubbed from every line before it is written.
 */
export type Level = 'debug' | 'info' | 'warn' | 'error';
const ORDER: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
  child(fields: Record<string, unknown>): Logger;
}

export interface LoggerOptions {
  level?: Level;
  secrets?: readonly string[];
  write?: (line: string) => void;
  base?: Record<string, unknown>;
  /** Fields read at every call, e.g. the running activity's workflow id and run id. */
  context?: () => Record<string, unknown>;
}

export function createLogger(opts: LoggerOptions = {}): Logger {
  const min = ORDER[opts.level ?? 'info'];
  const write = opts.write ?? ((line: string) => process.stderr.write(line + '\n'));
  const scrub = createScrub(opts.secrets ?? []);
  const log = (base: Record<string, unknown>) => (level: Level) => (msg: string, fields?: Record<string, unknown>) => {
    if (ORDER[level] < min) return;
    write(scrub(JSON.stringify({ ts: new Date().toISOString(), level, msg, ...opts.context?.(), ...base, ...fields }, errorReplacer)));
  };
  const make = (base: Record<string, unknown>): Logger => {
    const at = log(base);
    return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error'), child: (f) => make({ ...base, ...f }) };
  };
  return make(opts.base ?? {});
}

function errorReplacer(_key: string, value: unknown): unknown {
  if (value instanceof Error) return { name: value.name, message: value.message };
  return value;
}
