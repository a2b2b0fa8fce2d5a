import * as fs from 'node:fs';
import * as path from 'node:path';
import { temporal } from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import { STATE_FILE } from '../support/global-setup';

/**
 * Histories captured with the code before signed decisions (commit 0a57889; binary protobuf,
 * exactly as `fetchHistory()` returned them), replayed by today's workflows (test/replay holds the
 * other workflows' histories; these cover the approval paths): decisions already in a history
 * replay by the rules they were made under (patched 'signed-decisions'), older runs keep their
 * status key ('approval-status-attribute'), and standalone reviews and approver / auto-promote
 * inputs of older runs replay as they ran ('review-only-under-nightly', 'refuse-approvers-input',
 * 'auto-promote-from-config'). A non-determinism error here is an in-flight run the upgrade breaks.
 *   cleaning-review-unsigned-decisions: standalone, `approvers` input, an ignored update, a malformed
 *     signal, a revise, then an accept of v2 by name — published;
 *   cleaning-review-waiting: in flight, awaiting plan v1 with an ignored signal;
 *   retrain-personas-auto-promote: `autoPromote: true` input;
 *   retrain-personas-unsigned-decision: a four-eyes update ignored, a reject signal applied.
 */
const DIR = path.join(__dirname, 'approval-histories');

test.each(fs.readdirSync(DIR).filter((f) => f.endsWith('.binpb')))('%s replays without non-determinism', async (file) => {
  const { bundlePath } = JSON.parse(fs.readFileSync(STATE_FILE, 'utf8')) as { bundlePath: string };
  const history = temporal.api.history.v1.History.decode(fs.readFileSync(path.join(DIR, file)));
  expect(history.events.length).toBeGreaterThan(10);
  await expect(Worker.runReplayHistory({ workflowBundle: { codePath: bundlePath }, replayName: file }, history, file)).resolves.toBeUndefined();
});
