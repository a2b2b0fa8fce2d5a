/**
 * What a notification says, in the three shapes we send: a Slack-compatible body (`text` +
 * Block Kit `blocks`, accepted by Slack incoming webhooks and by Mattermost/Rocket.Chat/Teams
 * adapters that read `text`), a generic JSON body for any receiver, and an e-mail. Each carries
 * the link to the decision page in the console. Nothing here is a secret: channel URLs never
 * reach this file.
 */
export type ApprovalEventKind = 'awaiting' | 'half_timeout' | 'timed_out' | 'decided';

export interface ApprovalEvent {
  kind: ApprovalEventKind;
  subject: {
    /** The subject kind: cleaning-plan | persona-model (lib/approvals/subjects.ts; a future kind is a new string) */
    type: string;
    workflowId: string;
    version: number;
    /** e.g. "cleaning plan v1 for 2026-11-02" */
    title: string;
    date?: string;
  };
  requestedAt: string;
  /** When the automatic rejection happens. */
  deadline: string;
  /** One line each: the failing checks, the judge's verdict, the metric comparison… */
  facts?: string[];
  decision?: { decision: 'accept' | 'reject' | 'revise'; approver: string; reason?: string };
}

export interface RenderedEvent {
  headline: string;
  lines: string[];
  url: string;
}

const VERB = { accept: 'accepted', reject: 'rejected', revise: 'sent back for revision' } as const;

export function decisionUrl(consoleUrl: string, workflowId: string): string {
  return `${consoleUrl.replace(/\/+$/, '')}/decisions/${encodeURIComponent(workflowId)}`;
}

export function renderEvent(e: ApprovalEvent, consoleUrl: string): RenderedEvent {
  const s = e.subject.title;
  const headline = {
    awaiting: `Decision needed: ${s}`,
    half_timeout: `Half the time is gone: ${s} still awaits a decision`,
    timed_out: `Timed out: ${s} was rejected automatically (no decision in time)`,
    decided: e.decision ? `${s} ${VERB[e.decision.decision]} by ${e.decision.approver}` : `${s} decided`,
  }[e.kind];
  const lines = [...(e.facts ?? [])];
  if (e.kind === 'decided' && e.decision?.reason) lines.push(`reason: ${e.decision.reason}`);
  if (e.kind === 'awaiting' || e.kind === 'half_timeout') lines.push(`automatic rejection at ${e.deadline}`);
  return { headline, lines, url: decisionUrl(consoleUrl, e.subject.workflowId) };
}

/** Slack incoming-webhook body: `text` is the notification/fallback, blocks the message. */
export function slackBody(e: ApprovalEvent, consoleUrl: string): Record<string, unknown> {
  const r = renderEvent(e, consoleUrl);
  const escape = (t: string) => t.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  return {
    text: `${r.headline} — ${r.url}`,
    blocks: [
      {
        type: 'section',
        text: { type: 'mrkdwn', text: `*${escape(r.headline)}*${r.lines.length ? '\n' + r.lines.map((l) => `• ${escape(l)}`).join('\n') : ''}` },
      },
      {
        type: 'actions',
        elements: [
          { type: 'button', text: { type: 'plain_text', text: e.kind === 'decided' || e.kind === 'timed_out' ? 'Open' : 'Review and decide' }, url: r.url },
        ],
      },
    ],
  };
}

/** The generic body: stable field names a receiver can route on; `id` is the idempotency key. */
export function genericBody(e: ApprovalEvent, consoleUrl: string, id: string): Record<string, unknown> {
  const r = renderEvent(e, consoleUrl);
  return {
    id,
    event: e.kind,
    subject: e.subject,
    requestedAt: e.requestedAt,
    deadline: e.deadline,
    ...(e.decision ? { decision: e.decision } : {}),
    title: r.headline,
    text: r.lines.join('\n'),
    url: r.url,
  };
}

export function emailMessage(e: ApprovalEvent, consoleUrl: string): { subject: string; text: string; html: string } {
  const r = renderEvent(e, consoleUrl);
  const esc = (t: string) => t.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
  return {
    subject: `[marketing-dag] ${r.headline}`,
    text: [r.headline, '', ...r.lines, '', `Open: ${r.url}`].join('\n'),
    html: `<p><strong>${esc(r.headline)}</strong></p>${r.lines.length ? `<ul>${r.lines.map((l) => `<li>${esc(l)}</li>`).join('')}</ul>` : ''}<p><a href="${esc(r.url)}">Open the decision page</a></p>`,
  };
}
