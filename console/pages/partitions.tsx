import type { Cell, PartitionRow } from '../../activities/console/overview';
import type { Session } from '../auth/sessions';
import { dateRange } from '../../lib/dates';
import { temporalRunUrl } from './format';
import { Layout } from './layout';

export const LAYERS = ['bronze', 'silver', 'gold', 'attribution', 'personas'] as const;
type Layer = (typeof LAYERS)[number];

export interface GridCell extends Cell {
  /** running | awaiting approval, from Temporal (the warehouse only knows finished work). */
  live?: string;
  links: { href: string; text: string }[];
}

export interface GridRow {
  date: string;
  nightly: string | null;
  cells: Record<Layer, GridCell>;
}

export function PartitionsPage(p: { session: Session; from: string; to: string; rows: GridRow[]; error?: string }) {
  return (
    <Layout title="Partitions" session={p.session}>
      <form class="range" method="get" action="/partitions">
        <label>
          From <input type="date" name="from" value={p.from} />
        </label>
        <label>
          To <input type="date" name="to" value={p.to} />
        </label>
        <button type="submit">Show</button>
        <span class="legend">
          <span class="cell ok">ok</span>
          <span class="cell warn">warning</span>
          <span class="cell blocked">blocked / awaiting</span>
          <span class="cell failed">failed</span>
          <span class="cell running">running</span>
          <span class="cell none">not run</span>
        </span>
      </form>
      {p.error && <p class="flash error">{p.error}</p>}
      {p.rows.length === 0 && !p.error ? (
        <p class="empty">No partition in this range has run yet.</p>
      ) : (
        <table class="grid" data-testid="grid">
          <thead>
            <tr>
              <th>Date</th>
              {LAYERS.map((l) => (
                <th>{l}</th>
              ))}
            </tr>
          </thead>
          <tbody>
            {p.rows.map((r) => (
              <tr data-date={r.date}>
                <th>{r.date}</th>
                {LAYERS.map((l) => {
                  const c = r.cells[l];
                  const status = c.live === 'running' ? 'running' : c.live ? 'blocked' : c.status;
                  return (
                    <td class={`cell ${status}`} data-layer={l} data-status={status} title={c.detail}>
                      <div class="what">{c.live ?? c.detail}</div>
                      {c.links.map((a) => (
                        <a href={a.href}>{a.text}</a>
                      ))}
                    </td>
                  );
                })}
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Layout>
  );
}

/** Warehouse statuses + what Temporal knows is running or waiting, with links to runs and reports. */
export function gridRows(
  range: { from: string; to: string },
  rows: PartitionRow[],
  live: { running: Set<string>; awaiting: Map<string, string> },
  ui: { temporalUiUrl?: string; namespace: string },
): GridRow[] {
  const run = (id: string) => temporalRunUrl(ui.temporalUiUrl, ui.namespace, id);
  // Every date of the range has a row: a gap is as visible as a failure.
  const known = new Set(rows.map((r) => r.date));
  const none = { status: 'none', detail: 'not run' } as const;
  const extra = dateRange(range.from, range.to)
    .filter((d) => !known.has(d))
    .map((date): PartitionRow => ({ date, nightly: null, bronze: none, silver: none, gold: none, attribution: none, personas: none }));
  const all = [...rows, ...extra].sort((a, b) => (a.date < b.date ? 1 : -1));
  return all.map((r) => {
    // A run link only where something ran: "not run" cells stay quiet.
    const link = (href: string | undefined, text: string, cell: Cell = r.bronze) => (href && cell.status !== 'none' ? [{ href, text }] : []);
    const awaiting = live.awaiting.get(r.date);
    const running = live.running.has(r.date);
    const cells: Record<Layer, GridCell> = {
      bronze: { ...r.bronze, links: link(run(`nightly-${r.date}`), 'run') },
      silver: { ...r.silver, links: [] },
      gold: { ...r.gold, links: [] },
      attribution: {
        ...r.attribution,
        links: [
          ...link(run(`attribution-${r.date}`), 'run', r.attribution),
          ...(r.attribution.status === 'ok' ? [{ href: `/reports/reports/attribution/${r.date}_${r.date}/report.html`, text: 'report' }] : []),
        ],
      },
      personas: {
        ...r.personas,
        links: [
          ...link(run(`personas-${r.date}`), 'run'),
          ...(r.personas.chartPrefix ? [{ href: `/files?prefix=${encodeURIComponent(r.personas.chartPrefix)}`, text: 'drift charts' }] : []),
        ],
      },
    };
    if (awaiting) {
      const stage = r.silver.status === 'failed' ? 'silver' : 'gold';
      cells[stage] = { ...cells[stage], live: 'awaiting approval', links: [{ href: `/decisions/${encodeURIComponent(awaiting)}`, text: 'decide' }] };
      if (stage === 'silver') cells.gold = { ...cells.gold, live: 'held until the review decides' };
    } else if (running) {
      for (const l of ['silver', 'gold'] as const) if (cells[l].status !== 'ok') cells[l] = { ...cells[l], live: 'running' };
    }
    if (r.silver.status === 'failed' && !awaiting) cells.silver.links.push(...link(run(`cleaning-${r.date}`), 'review', r.silver));
    return { date: r.date, nightly: r.nightly, cells };
  });
}
