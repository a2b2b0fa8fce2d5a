import { activityContext } from '../../lib/heartbeat';

export interface CancelRequest {
  /** The identity of the client that asked (the CLI and SDK clients send pid@host; the Web UI its user). */
  by: string;
  /** When the server received the request (ISO-8601, UTC). */
  at: string;
}

/**
 * Who asked to cancel a workflow run, and when, from its history's WorkflowExecutionCancelRequested
 * event (workflow code cannot see it; this activity reads it with the worker's client). Undefined
 * when the run has no such event or outside an activity.
 */
export async function cancelRequest(workflowId: string, runId: string): Promise<CancelRequest | undefined> {
  const client = activityContext()?.client;
  if (!client) return undefined;
  const { events } = await client.workflow.getHandle(workflowId, runId).fetchHistory();
  const event = events?.find((e) => e.workflowExecutionCancelRequestedEventAttributes);
  if (!event) return undefined;
  const seconds = Number(event.eventTime?.seconds ?? 0);
  const nanos = Number(event.eventTime?.nanos ?? 0);
  const by = event.workflowExecutionCancelRequestedEventAttributes?.identity || 'an unnamed client';
  return { by, at: new Date(seconds * 1000 + Math.floor(nanos / 1e6)).toISOString() };
}
