import { randomUUID } from 'node:crypto';
import { WorkflowFailedError, type WorkflowHandle, type WorkflowHandleWithFirstExecutionRunId } from '@temporalio/client';
import type { Workflow } from '@temporalio/common';
import { importVendorFile } from '../../activities/personas/import-vendor';
import { Attribution, Backfill, NightlyPipeline, PersonaLabeling, RetrainPersonas, RobynMmm } from '../../workflows';
import { cleaningApproval, type CleaningReview } from '../../workflows/cleaning-review';
import { personaApproval } from '../../workflows/retrain-personas';
import { awaitingPlan } from '../cleaning/support';
import { VENDOR_FIXTURE } from '../personas/support/persona-env';
import { runDag } from '../support/cli';
import { createTestEnv, type TestEnv, type TestWorker } from '../support/temporal';
import { StopWaiting, waitFor } from '../support/time';

/**
 * Every workflow records how it ended — succeeded, blocked, failed with the root cause,
 * cancelled — in the PipelineStatus search attribute, its current details and ops.workflow_runs
 * (the nightly also in ops.pipeline_runs); a terminated run, which cannot run code, is reconciled
 * by the next run of its workflow id, and `dag status` says what happened.
 */
let env: TestEnv;
let w: TestWorker;
beforeAll(async () => {
  env = await createTestEnv();
  w = await env.makeWorker({ env: { DAG_APPROVERS: 'alice' } });
  await importVendorFile(w.deps, VENDOR_FIXTURE);
}, 60_000);
afterAll(async () => {
  await w?.close();
  await env?.close();
});

const details = async (h: WorkflowHandle) => (await h.query<{ currentDetails?: string }>('__temporal_workflow_metadata')).currentDetails;
const pipelineStatus = async (h: WorkflowHandle) => (await h.describe()).searchAttributes.PipelineStatus;
/** The ops.workflow_runs row of a run (the handle's first run when it has one: describe() follows the latest). */
const runRow = async (h: WorkflowHandle & { firstExecutionRunId?: string }) => {
  const runId = h.firstExecutionRunId ?? (await h.describe()).runId;
  return (
    await w.deps.warehouse.query<{ workflow_type: string; status: string; summary: string; d: string | null; finished: boolean }>(
      `select workflow_type, status, summary, cast(partition_date as varchar) as d, finished_at is not null as finished from ops.workflow_runs where run_id = $run`,
      { run: runId },
    )
  )[0];
};
const ledger = async (date: string) =>
  w.deps.warehouse.query<{ run_id: string; status: string; summary: string }>(
    `select run_id, status, summary from ops.pipeline_runs where partition_date = cast($d as date) order by finished_at`,
    { d: date },
  );
const start = <T extends Workflow>(wf: T, args: Parameters<T>, id = `run-end-${randomUUID()}`) =>
  env.client.workflow.start(wf, { taskQueue: w.taskQueue, workflowId: id, args } as never) as Promise<WorkflowHandleWithFirstExecutionRunId<T>>;

test('a nightly cancelled while it waits on its review records cancelled, and so does the review', async () => {
  const date = '2037-04-01';
  const h = await start(NightlyPipeline, [{ date, generate: { rows: 3000, anomalies: true, seed: 2 } }]);
  const review = env.client.workflow.getHandle<typeof CleaningReview>(`cleaning-${date}`);
  await awaitingPlan(() => review.query(cleaningApproval.query));
  await h.cancel();
  expect(await h.result().catch((e) => (e as WorkflowFailedError).cause?.name)).toBe('CancelledFailure');
  expect((await h.describe()).status.name).toBe('CANCELLED');
  expect(await pipelineStatus(h)).toEqual(['cancelled']);
  expect(await details(h)).toMatch(/^cancelled: while partition 2037-04-01: .* waiting for cleaning review cleaning-2037-04-01$/);
  expect(await runRow(h)).toMatchObject({ workflow_type: 'NightlyPipeline', status: 'cancelled', d: date, finished: true });
  expect(await ledger(date)).toEqual([
    { run_id: (await h.describe()).runId, status: 'cancelled', summary: expect.stringMatching(/^while partition 2037-04-01/) },
  ]);
  await waitFor('the review to close', async () => (await review.describe()).status.name !== 'RUNNING');
  expect(await pipelineStatus(review)).toEqual(['cancelled']);
  expect(await runRow(review)).toMatchObject({ workflow_type: 'CleaningReview', status: 'cancelled', d: date });
});

test('a nightly whose publish fails for good records failed with the root cause', async () => {
  const date = '2037-04-02';
  // A published day first, then the last model of the publish no longer fits its staged rows
  // (a column the model selects is gone; an added column would not do: inserts go by name).
  await start(NightlyPipeline, [{ date: '2037-03-31', review: false, generate: { rows: 2000, anomalies: false, seed: 2 } }]).then((h) => h.result());
  const [{ type }] = await w.deps.warehouse.query<{ type: string }>(
    `select data_type as type from information_schema.columns where table_schema = 'gold' and table_name = 'monthly_revenue' and column_name = 'customers'`,
  );
  await w.deps.warehouse.exec(`alter table gold.monthly_revenue drop column customers`);
  try {
    const h = await start(NightlyPipeline, [{ date, review: false, generate: { rows: 2000, anomalies: false, seed: 2 } }]);
    const err = await h.result().catch((e) => e);
    expect(err).toBeInstanceOf(WorkflowFailedError);
    const cause = /^publishGold: Binder Error: .*customers/;
    expect(await pipelineStatus(h)).toEqual(['failed']);
    expect(await details(h)).toMatch(new RegExp(`^failed: ${cause.source.slice(1)}`));
    expect(await runRow(h)).toMatchObject({ workflow_type: 'NightlyPipeline', status: 'failed', summary: expect.stringMatching(cause), d: date });
    expect(await ledger(date)).toEqual([{ run_id: (await h.describe()).runId, status: 'failed', summary: expect.stringMatching(cause) }]);
    // `dag status` shows the cause in one line.
    const status = await runDag(['status', h.workflowId], { TEMPORAL_ADDRESS: env.address, DAG_TASK_QUEUE: w.taskQueue });
    expect(status.stdout).toMatch(
      new RegExp(`^${h.workflowId}  NightlyPipeline  FAILED  partition ${date}  \\(failed\\)\\n  cause: publishGold: Binder Error`),
    );
  } finally {
    await w.deps.warehouse.exec(`alter table gold.monthly_revenue add column customers ${type}`);
  }
});

test('every other workflow type records its end: succeeded, blocked, failed, cancelled', async () => {
  const attribution = await start(Attribution, [{ from: '2037-04-01', to: '2037-04-02' }]);
  const backfill = await start(Backfill, [{ from: '2037-04-03', to: '2037-04-04', dryRun: true }]);
  const personas = await start(PersonaLabeling, [{ date: '2037-04-05', generate: { participants: 500, seed: 1 } }]);
  const mmm = await start(RobynMmm, [{ iterations: -1 }] as never);
  await Promise.all([attribution, backfill, personas].map((h) => h.result()));
  await mmm.result().catch(() => undefined);
  // Trained on the participants the labelling run loaded.
  const retrain = await start(RetrainPersonas, [{ window: { from: '2037-04-05', to: '2037-04-05' }, requestedBy: 'bob', sampleSize: 200 }]);
  await waitFor('the retrain to await a decision', async () => {
    if ((await retrain.describe()).status.name !== 'RUNNING')
      throw new StopWaiting(`the retrain ended: ${await retrain.result().catch((e) => e.cause?.cause?.message)}`);
    return (await retrain.query(personaApproval.query)).status === 'AwaitingApproval';
  });
  await retrain.cancel();
  await retrain.result().catch(() => undefined);

  expect(await runRow(attribution)).toMatchObject({
    workflow_type: 'Attribution',
    status: 'succeeded',
    d: '2037-04-02',
    summary: expect.stringMatching(/ conversions 2037-04-01\.\.2037-04-02; /),
  });
  expect(await runRow(backfill)).toMatchObject({ workflow_type: 'Backfill', status: 'succeeded', summary: 'dry run: would run 2 date(s), skip 0' });
  expect(await runRow(personas)).toMatchObject({ workflow_type: 'PersonaLabeling', status: 'succeeded', d: '2037-04-05' });
  expect(await runRow(mmm)).toMatchObject({
    workflow_type: 'RobynMmm',
    status: 'failed',
    summary: 'RobynMmm input: iterations: Too small: expected number to be >=10',
  });
  expect(await runRow(retrain)).toMatchObject({
    workflow_type: 'RetrainPersonas',
    status: 'cancelled',
    summary: expect.stringMatching(/^while candidate v\d+ .* awaiting decision$/),
  });
  for (const [h, s] of [
    [attribution, 'succeeded'],
    [backfill, 'succeeded'],
    [personas, 'succeeded'],
    [mmm, 'failed'],
    [retrain, 'cancelled'],
  ] as const)
    expect([h.workflowId, await pipelineStatus(h)]).toEqual([h.workflowId, [s]]);
  expect(await details(mmm)).toBe('failed: RobynMmm input: iterations: Too small: expected number to be >=10');
});

test('a terminated nightly: dag status says so; the next run of the partition reconciles it as terminated', async () => {
  const date = '2037-04-06';
  const id = `nightly-${date}`;
  const first = await start(NightlyPipeline, [{ date, review: false, generate: { rows: 2000, anomalies: false, seed: 2 } }], id);
  await waitFor('the run to record itself running', async () => (await runRow(first))?.status === 'running');
  await first.terminate('operator pulled the plug');
  const status = await runDag(['status', id], { TEMPORAL_ADDRESS: env.address, DAG_TASK_QUEUE: w.taskQueue });
  expect(status.stdout).toContain(`${id}  NightlyPipeline  TERMINATED  partition ${date}`);
  expect(status.stdout).toContain(
    'terminated (operator pulled the plug): it could not record its end, so PipelineStatus still says "running"; the next run of this workflow id records it as terminated',
  );

  const second = await start(NightlyPipeline, [{ date, review: false, generate: { rows: 2000, anomalies: false, seed: 2 } }], id);
  await second.result();
  expect(await runRow(first)).toMatchObject({ status: 'terminated', summary: expect.stringContaining(`reconciled by run ${second.firstExecutionRunId}`) });
  expect((await ledger(date)).map((r) => [r.run_id, r.status])).toEqual([
    [first.firstExecutionRunId, 'terminated'],
    [second.firstExecutionRunId, 'succeeded'],
  ]);
});
