/** Small formatting helpers shared by the pages. */
export function duration(ms: number): string {
  const abs = Math.abs(ms);
  // Rounded down: "23 h 59 min" left is never shown as a full day.
  const m = Math.floor(abs / 60_000);
  if (m < 1) return 'less than a minute';
  if (m < 60) return `${m} min`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h} h ${m % 60} min`;
  return `${Math.floor(h / 24)} days ${h % 24} h`;
}

export const timeLeft = (deadline: Date | undefined, now = Date.now()) =>
  deadline ? (deadline.getTime() > now ? duration(deadline.getTime() - now) : 'due now') : 'unknown';

export const age = (since: Date | undefined, now = Date.now()) => (since ? duration(now - since.getTime()) : 'unknown');

export const utc = (d: Date | string | undefined) => (d ? new Date(d).toISOString().replace('T', ' ').slice(0, 16) + ' UTC' : '—');

export function num(v: number | null | undefined): string {
  if (v === null || v === undefined) return '—';
  return Number.isInteger(v) ? v.toLocaleString('en-US') : v.toLocaleString('en-US', { maximumFractionDigits: 4 });
}

export const temporalRunUrl = (uiUrl: string | undefined, namespace: string, workflowId: string) =>
  uiUrl ? `${uiUrl.replace(/\/+$/, '')}/namespaces/${encodeURIComponent(namespace)}/workflows/${encodeURIComponent(workflowId)}` : undefined;
