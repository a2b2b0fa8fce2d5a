import type { Dialect, Session, Warehouse } from '../../adapters/warehouse/warehouse';
import { renderSqlFile } from '../../lib/sql/render';
import { UNATTRIBUTED } from './models';

export interface StagedTotals {
  conversions: number;
  attributed: number;
  touches: number;
  /** Empty when the staged run may be published. */
  problems: string[];
}

/**
 * The checks that gate the gold write: every conversion's shares sum exactly to 1 and to its
 * revenue in every model (attribution_invariants.sql), and the two outputs tell the same story —
 * the same conversions and revenue, and the conversions with a touch in the window (summary) are
 * exactly those the models credit to a real channel.
 */
export async function verifyStagedAttribution(
  wh: Session,
  staged: { credits: string; summary: string },
  dialect: Dialect = (wh as Warehouse).dialect,
): Promise<StagedTotals> {
  const problems: string[] = [];
  const [inv] = await wh.query<{ offending: number; sample: string | null }>(
    renderSqlFile('attribution/attribution_invariants.sql', dialect, { credits: staged.credits }),
  );
  if (Number(inv.offending) > 0) problems.push(`${inv.offending} conversions whose credit does not sum to exactly 1 and their revenue (e.g. ${inv.sample})`);

  const [c] = await wh.query<{ conversions: number; cents: number | null; credited: number | null; touches: number }>(
    `select count(distinct order_id) as conversions, sum(case when touch_index = 1 then revenue_cents end) as cents,
            sum(case when channel <> $unattributed then last_touch_units else 0 end) as credited, count(*) as touches
     from ${staged.credits}`,
    { unattributed: UNATTRIBUTED },
  );
  const [s] = await wh.query<{ naive: number | null; cents: number | null; attributed: number | null }>(
    `select sum(naive_conversions) as naive, cast(sum(naive_revenue) * 100 as bigint) as cents, sum(attributed_conversions) as attributed from ${staged.summary}`,
  );
  const conversions = Number(c.conversions);
  const attributed = Number(s.attributed ?? 0);
  if (Number(s.naive ?? 0) !== conversions) problems.push(`summary counts ${s.naive ?? 0} conversions, credits ${conversions}`);
  if (Number(s.cents ?? 0) !== Number(c.cents ?? 0)) problems.push(`summary revenue ${s.cents ?? 0} cents, credits ${c.cents ?? 0} cents`);
  if (Number(c.credited ?? 0) !== attributed * 1_000_000)
    problems.push(`${attributed} conversions attributed in the summary, ${Number(c.credited ?? 0) / 1e6} credited to channels`);
  return { conversions, attributed, touches: Number(c.touches), problems };
}
