/** Prints either JSON (for scripts, `--json`) or a human line. */
export function print(json: boolean, value: unknown, human: () => string): void {
  process.stdout.write((json ? JSON.stringify(value, null, 2) : human()) + '\n');
}
