import * as fs from 'node:fs';
import * as path from 'node:path';
import { bundleWorkflowCode, DefaultLogger, Runtime, Worker, type ReplayResult } from '@temporalio/worker';
import type { HistoryAndWorkflowId } from '@temporalio/client';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import * as workflows from '../../workflows';
import { quietLogger } from '../support/temporal';
import { WORKFLOWS_PATH } from '../../workers/worker';
import type { CapturedHistory } from './capture';

/**
 * Every captured history (test/replay/histories/, written by test/replay/capture.ts) replays
 * against the current workflow code, bundled here exactly as `dag worker` bundles it (the suite's
 * shared bundle has test-speed timeouts, test/support/workflow-bundle.ts). A DeterminismViolationError here means a change to a workflow's command
 * sequence would break runs already in flight (a nightly waiting 24 h on a review, a retrain
 * waiting 7 days on approval): guard the change with patched() (README "Changing workflow code").
 */
const DIR = path.join(__dirname, 'histories');
// histories/*.json and histories/<capture>/*.json (later captures of the same paths, from newer code).
const captured: CapturedHistory[] = (fs.readdirSync(DIR, { recursive: true }) as string[])
  .filter((f) => f.endsWith('.json'))
  .sort()
  .map((f) => ({ ...(JSON.parse(fs.readFileSync(path.join(DIR, f), 'utf8')) as CapturedHistory), name: f.replace(/\.json$/, '') }));

// The deliberately broken replay below logs its nondeterminism error; nothing else is worth printing.
beforeAll(() =>
  Runtime.install({ logger: new DefaultLogger('ERROR'), telemetryOptions: { logging: { filter: { core: 'ERROR', other: 'ERROR' }, forward: {} } } }),
);

const asReplayInput = (c: CapturedHistory): HistoryAndWorkflowId => ({ workflowId: c.workflowId, history: historyFromJSON(c.history) });

/**
 * Replays histories, keyed by file name. One execution captured twice (waiting, then finished)
 * has one workflow id, and a replay worker holds one run per id: such captures go in later rounds.
 */
async function replayAll(workflowBundle: { codePath: string } | { code: string }, histories: CapturedHistory[]): Promise<Map<string, ReplayResult>> {
  const results = new Map<string, ReplayResult>();
  for (let rest = histories; rest.length;) {
    const round = new Map<string, CapturedHistory>();
    for (const c of rest) if (!round.has(c.workflowId)) round.set(c.workflowId, c);
    rest = rest.filter((c) => round.get(c.workflowId) !== c);
    const inputs = [...round.values()].map(asReplayInput);
    for await (const r of Worker.runReplayHistories({ workflowBundle }, inputs)) results.set(round.get(r.workflowId)!.name, r);
  }
  return results;
}

test('every workflow type the worker registers has captured histories', () => {
  const types = new Set(captured.map((c) => c.workflowType));
  expect(Object.keys(workflows).filter((t) => !types.has(t))).toEqual([]);
  expect(new Set(captured.map((c) => c.name)).size).toBe(captured.length);
});

test('every captured history replays against the current workflow code', async () => {
  const { code } = await bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: quietLogger });
  const results = await replayAll({ code }, captured);
  const failures = [...results].filter(([, r]) => r.error).map(([name, r]) => `${name}: ${r.error!.name}: ${r.error!.message.split('\n')[0]}`);
  expect(failures).toEqual([]);
  expect([...results.keys()].sort()).toEqual(captured.map((c) => c.name).sort());
});

test('the replay fails when the command sequence changes without patched() (the check can fail)', async () => {
  // Same workflow types, but NightlyPipeline lists the landing files before generating data.
  const { code } = await bundleWorkflowCode({ workflowsPath: require.resolve('./support/reordered-workflows'), logger: quietLogger });
  const nightly = captured.filter((c) => c.name === 'nightly-succeeded' || c.name === 'attribution-range');
  const results = await replayAll({ code }, nightly);
  expect(results.get('nightly-succeeded')?.error?.name).toBe('DeterminismViolationError');
  expect(results.get('attribution-range')?.error).toBeUndefined();
});
