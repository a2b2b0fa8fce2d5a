import type { Warehouse } from '../../adapters/warehouse/warehouse';
import { nowUtc } from '../ingest/load-bronze';

/**
 * ops.notification_deliveries: one row per delivery attempt of an event to a channel. A channel
 * with a `delivered` row for the event's idempotency key is never posted to again, so an
 * activity retry (or a second call for the same event) only sends what is still missing.
 */
export async function ensureLedger(wh: Warehouse): Promise<void> {
  await wh.exec(`create schema if not exists ops`);
  await wh.exec(`create table if not exists ops.notification_deliveries (
    idempotency_key varchar,
    channel varchar,
    event varchar,
    workflow_id varchar,
    status varchar,
    attempt integer,
    detail varchar,
    recorded_at timestamp
  )`);
}

export async function deliveredChannels(wh: Warehouse, key: string): Promise<Set<string>> {
  const rows = await wh.query<{ channel: string }>(
    `select distinct channel from ops.notification_deliveries where idempotency_key = $key and status = 'delivered'`,
    {
      key,
    },
  );
  return new Set(rows.map((r) => r.channel));
}

export async function recordDelivery(
  wh: Warehouse,
  r: { key: string; channel: string; event: string; workflowId: string; status: 'delivered' | 'failed'; attempt: number; detail: string },
): Promise<void> {
  await wh.exec(`insert into ops.notification_deliveries values ($key, $channel, $event, $workflow_id, $status, $attempt, $detail, cast($now as timestamp))`, {
    key: r.key,
    channel: r.channel,
    event: r.event,
    workflow_id: r.workflowId,
    status: r.status,
    attempt: r.attempt,
    detail: r.detail,
    now: nowUtc(),
  });
}
