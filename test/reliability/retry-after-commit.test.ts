import { DuckDbWarehouse } from '../../adapters/warehouse/duckdb/duckdb-warehouse';
import type { PublishGoldResult } from '../../activities/transform/publish-gold';
import { NightlyPipeline } from '../../workflows';
import type { NightlyResult } from '../../workflows/nightly-pipeline';
import { closeHarnessClient, runWithKill, type RunOutcome, type Start } from './support/kill-harness';

/**
 * Every committing activity of the nightly is safe to retry after it committed: the worker
 * process SIGKILLs itself right after the activity's first attempt returned (its transaction
 * committed, Temporal not told), a new worker runs the retry, and the run must end exactly as
 * an undisturbed run of the same input — same rows everywhere, run audits included, no
 * duplicate ledger or result rows, the same outcome.
 */
afterAll(closeHarnessClient);

const nightly =
  (date: string): Start =>
  (client, taskQueue, workflowId) =>
    client.workflow.start(NightlyPipeline, { taskQueue, workflowId, args: [{ date, review: false, generate: { rows: 4000, anomalies: false, seed: 6 } }] });

/** A workflow failure as its chain of messages (WorkflowFailedError → ActivityFailure → the cause). */
const failureChain = (e: unknown): string[] => (e instanceof Error ? [e.message, ...failureChain(e.cause)] : []);

/** The run audits tableCounts leaves out, per kind: one evaluation's check results, one run row, one publication. */
async function audits(o: RunOutcome) {
  const wh = await DuckDbWarehouse.open({ path: o.duckdbFile });
  try {
    return {
      dqResults: await wh.query(`select stage, status, count(*) as n from ops.dq_results group by all order by all`),
      pipelineRuns: await wh.query(`select cast(partition_date as varchar) as d, status, count(*) as n from ops.pipeline_runs group by all order by all`),
      publications: await wh.query(
        `select cast(partition_date as varchar) as d, models, rows_published, count(*) as n from ops.gold_publications group by all`,
      ),
      attribution: await wh.query(
        `select model, window_days, count(*) as n, round(sum(revenue_credited), 6) as revenue from gold.attribution group by all order by all`,
      ),
    };
  } finally {
    await wh.close();
  }
}

test.concurrent.each([
  ['publishGold', '2026-05-01', undefined],
  ['buildModel', '2026-05-02', undefined],
  ['runQualityChecks', '2026-05-03', undefined],
  ['recordPipelineRun', '2026-05-04', undefined],
  ['computeAttribution', '2026-05-05', 'attribution-'],
])(
  '%s retried after it committed: the run ends as an undisturbed one',
  async (activity, date, childPrefix) => {
    // The undisturbed run goes while the killed worker is down, unless both would start the same
    // child id (attribution-<date>): then it goes first.
    let undisturbed: RunOutcome | undefined = childPrefix ? await runWithKill({ start: nightly(date) }) : undefined;
    const killed = await runWithKill({
      start: nightly(date),
      kill: {
        activity,
        afterCommit: true,
        in: childPrefix ? (client) => client.workflow.getHandle(`${childPrefix}${date}`) : undefined,
        whileDown: async () => (undisturbed ??= await runWithKill({ start: nightly(date) })),
      },
    });
    if (!undisturbed) throw new Error('the undisturbed run did not run');
    expect(failureChain(killed.failure)).toEqual([]);
    expect(killed.attempts[0]).toBeGreaterThanOrEqual(2); // the first completion Temporal heard of came from a retry
    const [k, u] = [killed.result, undisturbed.result] as NightlyResult[];
    expect(k.status).toBe('succeeded');
    expect(k.layers.gold?.published).toEqual(u.layers.gold?.published);
    expect(killed.counts).toEqual(undisturbed.counts);
    expect(killed.counts['gold.daily_kpis']).toBe(1);
    expect(await audits(killed)).toEqual(await audits(undisturbed));
    if (activity === 'publishGold') {
      // The retry finds its own publication in the ledger and reports it instead of publishing again.
      expect(killed.results[0] as PublishGoldResult).toMatchObject({ alreadyPublished: true, published: u.layers.gold?.published });
    }
  },
  360_000,
);
