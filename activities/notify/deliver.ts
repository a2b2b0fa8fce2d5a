import { createHash } from 'node:crypto';
import { createTransport } from 'nodemailer';

/**
 * Sending, and nothing else. Error messages name the channel and what went wrong, never the
 * URL (a Slack webhook URL is its credential) nor the SMTP login.
 */
export class DeliveryError extends Error {
  override name = 'DeliveryError';
  constructor(
    message: string,
    /** false when a retry cannot help (the receiver refused the request itself, e.g. HTTP 404). */
    readonly retryable: boolean,
  ) {
    super(message);
  }
}

const WEBHOOK_TIMEOUT_MS = 10_000;

export async function postWebhook(channel: string, url: string, body: unknown, idempotencyKey: string): Promise<void> {
  let res: Response;
  try {
    res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': idempotencyKey, 'user-agent': 'marketing-dag-notify' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(WEBHOOK_TIMEOUT_MS),
      // A redirect could leak the body to another host; a webhook answers where it is.
      redirect: 'error',
    });
  } catch (err) {
    throw new DeliveryError(`webhook "${channel}": ${networkProblem(err)}`, true);
  }
  await res.body?.cancel().catch(() => undefined);
  if (!res.ok) {
    // 408/429 and 5xx are the receiver's temporary trouble; other 4xx mean the request itself is refused.
    const retryable = res.status >= 500 || res.status === 408 || res.status === 429;
    throw new DeliveryError(`webhook "${channel}" answered HTTP ${res.status}`, retryable);
  }
}

function networkProblem(err: unknown): string {
  const e = err as { name?: string; cause?: { code?: string; name?: string } };
  if (e?.name === 'TimeoutError' || e?.cause?.name === 'TimeoutError') return `no answer within ${WEBHOOK_TIMEOUT_MS / 1000} s`;
  const code = e?.cause?.code;
  const known: Record<string, string> = {
    ECONNREFUSED: 'connection refused',
    ENOTFOUND: 'host not found',
    ECONNRESET: 'connection reset',
    ETIMEDOUT: 'connection timed out',
    EAI_AGAIN: 'DNS lookup failed',
  };
  return code ? (known[code] ?? `network error ${code}`) : 'network error';
}

export interface Email {
  from: string;
  to: string[];
  subject: string;
  text: string;
  html: string;
}

/** One message through the configured SMTP relay; its Message-ID derives from the key, so mail clients de-duplicate too. */
export async function sendEmail(smtpUrl: string, mail: Email, idempotencyKey: string): Promise<void> {
  const transport = createTransport(smtpUrl);
  try {
    await transport.sendMail({
      ...mail,
      messageId: `<${createHash('sha256').update(idempotencyKey).digest('hex').slice(0, 32)}@marketing-dag>`,
      headers: { 'X-Idempotency-Key': idempotencyKey },
    });
  } catch (err) {
    const e = err as { code?: string; responseCode?: number };
    const permanent = typeof e.responseCode === 'number' && e.responseCode >= 500 && e.responseCode !== 554;
    throw new DeliveryError(`e-mail: ${e.responseCode ? `SMTP ${e.responseCode}` : (e.code ?? 'failed')}`, !permanent);
  } finally {
    transport.close();
  }
}
