/**
 * The root cause of a failure in one line, for people: the innermost message of the cause chain
 * (WorkflowFailedError → ChildWorkflowFailure → ActivityFailure → ApplicationFailure …), prefixed
 * with the activity or child workflow it came from, e.g.
 * `publishGold: Binder Error: table monthly_revenue has 6 columns but 5 values were supplied`.
 * Pure (no imports), so workflows record it and the CLI prints it the same way.
 */
export function rootCause(err: unknown, maxLength = 500): string {
  const chain: { message?: string; activityType?: string; workflowType?: string; type?: string }[] = [];
  for (let e = err as { cause?: unknown } | undefined; e && typeof e === 'object' && chain.length < 20; e = e.cause as typeof e) chain.push(e as never);
  if (!chain.length) return oneLine(String(err), maxLength);
  const where = chain
    .map((e) => e.activityType ?? e.workflowType)
    .filter((w): w is string => typeof w === 'string' && w.length > 0)
    .pop();
  const innermost = chain[chain.length - 1];
  const message = oneLine(innermost.message || innermost.type || 'unknown error', maxLength);
  return where && !message.startsWith(`${where}:`) ? `${where}: ${message}` : message;
}

/** Failure type (ApplicationFailure `type`) of the innermost cause that has one. */
export function rootFailureType(err: unknown): string | undefined {
  let type: string | undefined;
  for (let e = err as { cause?: unknown; type?: unknown } | undefined, n = 0; e && typeof e === 'object' && n < 20; e = e.cause as typeof e, n++)
    if (typeof e.type === 'string' && e.type) type = e.type;
  return type;
}

function oneLine(s: string, maxLength: number): string {
  const line = s
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .join(' — ');
  return line.length > maxLength ? `${line.slice(0, maxLength - 1)}…` : line;
}
