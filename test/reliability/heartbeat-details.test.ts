import { MockActivityEnvironment } from '@temporalio/testing';
import { withHeartbeat } from '../../lib/heartbeat';

/**
 * Heartbeat details are what the Temporal UI shows of a running activity. The SDK encodes them
 * later (throttled), so withHeartbeat must hand it a snapshot: an activity that keeps mutating its
 * progress object would otherwise report a phase it reached after the heartbeat.
 */
test('each heartbeat carries the details as they were when it was sent', async () => {
  const env = new MockActivityEnvironment();
  const sent: unknown[] = [];
  env.on('heartbeat', (d: unknown) => sent.push(d));
  const progress = { phase: 'reading' };
  await env.run(() =>
    withHeartbeat(
      async () => {
        progress.phase = 'validating';
        await new Promise((r) => setTimeout(r, 30));
        progress.phase = 'writing';
      },
      () => progress,
      10,
    ),
  );
  expect(sent.length).toBeGreaterThanOrEqual(2);
  expect(sent[0]).toEqual({ phase: 'reading' });
  expect(sent).toContainEqual({ phase: 'validating' });
});
