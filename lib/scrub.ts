/**
 * Replaces configured secret values with "***" wherever text leaves the process: log lines,
 * activity errors and results (which Temporal keeps in history forever), audit rows, CLI output.
 * A secret is matched as configured and in the forms it takes inside JSON and URLs, because an
 * upstream that echoes a key (`Incorrect API key provided: sk-…`) may have quoted or encoded it.
 */
export type Scrub = (text: string) => string;

/** Values shorter than this are not treated as secrets: scrubbing "1" would mangle every number. */
const MIN_SECRET_LENGTH = 4;

export function createScrub(secrets: readonly (string | null | undefined)[]): Scrub {
  const forms = new Set<string>();
  for (const s of secrets) {
    if (typeof s !== 'string' || s.length < MIN_SECRET_LENGTH) continue;
    forms.add(s);
    forms.add(JSON.stringify(s).slice(1, -1));
    forms.add(encodeURIComponent(s));
  }
  // Longest first, so a secret that contains another is replaced whole.
  const ordered = [...forms].sort((a, b) => b.length - a.length);
  if (!ordered.length) return (text) => text;
  return (text) => ordered.reduce((t, s) => (t.includes(s) ? t.split(s).join('***') : t), text);
}

/** Scrubs every string inside a JSON-shaped value; returns the value itself when nothing matched. */
export function scrubValue<T>(value: T, scrub: Scrub): T {
  if (value === undefined || value === null) return value;
  if (typeof value === 'string') return scrub(value) as T;
  if (typeof value !== 'object') return value;
  let json: string;
  try {
    json = JSON.stringify(value);
  } catch {
    return value;
  }
  if (json === undefined) return value;
  const clean = scrub(json);
  // Temporal converts results to JSON anyway; re-parsing only happens when a secret was found.
  return clean === json ? value : (JSON.parse(clean) as T);
}

/** Scrubs an error's message, stack and causes in place (keeping its class, type and retry policy). */
export function scrubError<E>(err: E, scrub: Scrub): E {
  const seen = new Set<unknown>();
  for (let e: unknown = err; e instanceof Error && !seen.has(e); e = (e as { cause?: unknown }).cause) {
    seen.add(e);
    e.message = scrub(e.message);
    if (e.stack) e.stack = scrub(e.stack);
    const withDetails = e as { details?: unknown[] };
    if (Array.isArray(withDetails.details)) withDetails.details = withDetails.details.map((d) => scrubValue(d, scrub));
  }
  return err;
}

/**
 * Wraps every activity so that neither its result nor its error can carry a configured secret
 * into workflow history (and from there into results, audit rows and `dag approvals show`).
 */
export function scrubActivities<T extends Record<string, (...args: never[]) => Promise<unknown>>>(
  activities: T,
  secrets: readonly (string | null | undefined)[],
): T {
  const scrub = createScrub(secrets);
  const wrapped: Record<string, unknown> = {};
  for (const [name, fn] of Object.entries(activities)) {
    wrapped[name] = async (...args: never[]) => {
      try {
        return scrubValue(await fn(...args), scrub);
      } catch (err) {
        throw scrubError(err, scrub);
      }
    };
    // The function name is the activity type shown in the UI and recorded in history.
    Object.defineProperty(wrapped[name], 'name', { value: name });
  }
  return wrapped as T;
}
