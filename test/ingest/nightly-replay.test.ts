import * as fs from 'node:fs';
import * as path from 'node:path';
import { temporal } from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import { WORKFLOWS_PATH } from '../../workers/worker';

/**
 * Runs of NightlyPipeline started before the bronze stage became "reconcile the current
 * delivery, load, read back what the partition holds" (patch `bronze-current-delivery`) must
 * still replay on the new code: histories captured from the code before the change (a clean day
 * that published, a day blocked by its checks).
 */
const FIXTURES = path.join(__dirname, 'fixtures');

test.each(fs.readdirSync(FIXTURES).filter((f) => /^nightly-.*\.json$/.test(f)))(
  '%s replays on the current workflow code',
  async (file) => {
    // Captured with WorkflowHandle.fetchHistory() and JSON.stringify (protobufjs JSON).
    const history = temporal.api.history.v1.History.fromObject(JSON.parse(fs.readFileSync(path.join(FIXTURES, file), 'utf8')));
    await Worker.runReplayHistory({ workflowsPath: WORKFLOWS_PATH }, history, file.replace(/\.json$/, ''));
  },
  120_000,
);
