import { ApplicationFailure } from '@temporalio/common';
import { consoleUrl } from '../../config/config';
import type { ActivityDeps } from '../../lib/deps';
import { activityContext } from '../../lib/heartbeat';
import { DeliveryError, postWebhook, sendEmail } from './deliver';
import { deliveredChannels, ensureLedger, recordDelivery } from './ledger';
import { emailMessage, genericBody, slackBody, type ApprovalEvent } from './messages';

export type { ApprovalEvent, ApprovalEventKind } from './messages';

export interface NotifyInput extends ApprovalEvent {
  /** Channel names to use (default: every configured channel). Names only: URLs stay in the worker's configuration. */
  channels?: string[];
}

export interface NotifyResult {
  idempotencyKey: string;
  delivered: string[];
  /** Delivered by an earlier attempt or call with the same key. */
  alreadyDelivered: string[];
  /** Names asked for but not configured on this worker. */
  unknown: string[];
}

/** The e-mail channel's name; webhook channels are named by DAG_NOTIFY_WEBHOOKS. */
export const EMAIL_CHANNEL = 'email';

export function createNotifyActivities(deps: ActivityDeps) {
  const { config, warehouse: wh } = deps;
  const configured = [...Object.keys(config.notifications.webhooks), ...(config.notifications.email ? [EMAIL_CHANNEL] : [])];
  let ledgerReady: Promise<void> | undefined;
  return {
    /**
     * Tells the configured channels about an approval event (awaiting, half the timeout gone,
     * timed out, decided). Idempotent per (workflow run, subject version, event): channels that
     * already got it are skipped, so Temporal's retries after a partial failure post only what
     * is missing. Fails (retryably) naming the channels that could not be reached.
     */
    async notifyApprovalEvent(input: NotifyInput): Promise<NotifyResult> {
      const info = activityContext()?.info;
      const run = info?.workflowExecution;
      const key = `${run?.workflowId ?? input.subject.workflowId}/${run?.runId ?? 'manual'}/v${input.subject.version}/${input.kind}`;
      const wanted = input.channels ?? configured;
      const result: NotifyResult = { idempotencyKey: key, delivered: [], alreadyDelivered: [], unknown: wanted.filter((c) => !configured.includes(c)) };
      if (!wanted.some((c) => configured.includes(c))) return result;
      await (ledgerReady ??= ensureLedger(wh));
      const done = await deliveredChannels(wh, key);
      const base = consoleUrl(config);
      const failures: DeliveryError[] = [];
      for (const channel of wanted.filter((c) => configured.includes(c))) {
        if (done.has(channel)) {
          result.alreadyDelivered.push(channel);
          continue;
        }
        try {
          if (channel === EMAIL_CHANNEL) {
            const email = config.notifications.email!;
            await sendEmail(config.secrets.smtpUrl!, { from: email.from, to: email.to, ...emailMessage(input, base) }, key);
          } else {
            const format = config.notifications.webhooks[channel];
            const body = format === 'slack' ? slackBody(input, base) : genericBody(input, base, key);
            await postWebhook(channel, config.secrets.webhookUrls[channel], body, key);
          }
          await recordDelivery(wh, {
            key,
            channel,
            event: input.kind,
            workflowId: input.subject.workflowId,
            status: 'delivered',
            attempt: info?.attempt ?? 1,
            detail: 'ok',
          });
          result.delivered.push(channel);
        } catch (err) {
          const failure = err instanceof DeliveryError ? err : new DeliveryError(`${channel}: ${(err as Error).message.split('\n')[0]}`, true);
          failures.push(failure);
          await recordDelivery(wh, {
            key,
            channel,
            event: input.kind,
            workflowId: input.subject.workflowId,
            status: 'failed',
            attempt: info?.attempt ?? 1,
            detail: failure.message,
          });
        }
      }
      if (failures.length) {
        const reached = [...result.alreadyDelivered, ...result.delivered];
        const message = `${failures.map((f) => f.message).join('; ')}${reached.length ? ` (delivered: ${reached.join(', ')})` : ''}`;
        deps.logger.warn('notification not delivered', { key, message });
        throw failures.some((f) => f.retryable)
          ? ApplicationFailure.retryable(message, 'NotificationNotDelivered')
          : ApplicationFailure.nonRetryable(message, 'NotificationRefused');
      }
      deps.logger.info('notification delivered', { key, delivered: result.delivered, alreadyDelivered: result.alreadyDelivered });
      return result;
    },
  };
}

export type NotifyActivities = ReturnType<typeof createNotifyActivities>;
