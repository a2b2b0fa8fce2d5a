import { escapeXml, groupedBarsSvg } from './svg-grouped-bars';

/** What the report shows: small aggregates read from gold, never per-order rows. */
export interface AttributionReportData {
  from: string;
  to: string;
  windows: number[];
  models: string[];
  /** The reporting currency every amount is in (DAG_REPORTING_CURRENCY). */
  currency: string;
  /** The settings that produced the credit (they are columns of gold.attribution). */
  settings: { halfLifeDays: number; firstWeight: number; lastWeight: number };
  credit: { windowDays: number; model: string; channel: string; conversions: number; revenue: number }[];
  summary: {
    windowDays: number;
    channel: string;
    naive: number;
    attributed: number;
    outOfWindow: number;
    naiveRevenue: number;
    attributedRevenue: number;
    outOfWindowRevenue: number;
  }[];
}

export interface RenderedReport {
  markdown: string;
  html: string;
  /** File name → SVG, one chart per window: `credit-by-model-w7.svg`. */
  charts: Record<string, string>;
}

export const chartFile = (windowDays: number) => `credit-by-model-w${windowDays}.svg`;
const grouped = (n: number) => n.toFixed(2).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
const conv = (n: number) => (Math.round(n * 100) / 100).toFixed(2);

type Table = { head: string[]; rows: string[][] };

function creditTable(d: AttributionReportData, w: number): Table {
  const money = (n: number) => `${d.currency} ${grouped(n)}`;
  const rows = d.credit.filter((c) => c.windowDays === w);
  const channels = [...new Set(rows.map((c) => c.channel))].sort();
  const cell = (channel: string, model: string) => rows.find((c) => c.channel === channel && c.model === model);
  return {
    head: ['channel', ...d.models],
    rows: channels.map((ch) => [
      ch,
      ...d.models.map((m) => {
        const c = cell(ch, m);
        return c ? `${conv(c.conversions)} (${money(c.revenue)})` : '–';
      }),
    ]),
  };
}

function windowTable(d: AttributionReportData): Table {
  // Naive counts do not depend on the window (the most recent session, however old).
  const money = (n: number) => `${d.currency} ${grouped(n)}`;
  const channels = [...new Set(d.summary.map((s) => s.channel))].sort();
  const find = (ch: string, w: number) => d.summary.find((x) => x.channel === ch && x.windowDays === w);
  return {
    head: ['channel', 'naive', ...d.windows.flatMap((w) => [`attributed ${w}d`, `out of window ${w}d`])],
    rows: channels.map((ch) => {
      const any = d.summary.find((x) => x.channel === ch);
      return [
        ch,
        any ? `${any.naive} (${money(any.naiveRevenue)})` : '–',
        ...d.windows.flatMap((w) => {
          const s = find(ch, w);
          return s ? [`${s.attributed} (${money(s.attributedRevenue)})`, `${s.outOfWindow} (${money(s.outOfWindowRevenue)})`] : ['–', '–'];
        }),
      ];
    }),
  };
}

const mdTable = (t: Table) =>
  [`| ${t.head.join(' | ')} |`, `|${t.head.map(() => ' --- ').join('|')}|`, ...t.rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
const htmlTable = (t: Table) =>
  `<table>\n<tr>${t.head.map((h) => `<th>${escapeXml(h)}</th>`).join('')}</tr>\n${t.rows.map((r) => `<tr>${r.map((c) => `<td>${escapeXml(c)}</td>`).join('')}</tr>`).join('\n')}\n</table>`;

export function renderAttributionReport(d: AttributionReportData): RenderedReport {
  const title = `Attribution ${d.from} to ${d.to}`;
  const pct = (x: number) => `${Math.round(x * 1000) / 10} %`;
  const { halfLifeDays, firstWeight, lastWeight } = d.settings;
  const note = [
    'Conversions credited (revenue credited) per channel and model; `unattributed` = no touch in the window.',
    `Amounts in ${d.currency}.`,
    `Settings: time decay with a half-life ${halfLifeDays} days; position-based ${pct(firstWeight)} first / ${pct(lastWeight)} last (${pct(1 - firstWeight - lastWeight)} shared by the middle touches).`,
  ].join(' ');
  const charts: Record<string, string> = {};
  const md = [`# ${title}`, '', note, ''];
  const html = [
    `<!doctype html><html><head><meta charset="utf-8"><title>${escapeXml(title)}</title>`,
    '<style>body{font-family:sans-serif}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 8px;text-align:right}td:first-child{text-align:left}</style></head><body>',
    `<h1>${escapeXml(title)}</h1>`,
    `<p>${escapeXml(note)}</p>`,
  ];
  for (const w of d.windows) {
    const table = creditTable(d, w);
    charts[chartFile(w)] = groupedBarsSvg({
      title: `Conversions credited by channel and model (${w}-day window)`,
      yLabel: 'conversions credited',
      categories: table.rows.map((r) => r[0]),
      series: d.models.map((m) => ({
        name: m,
        values: table.rows.map((r) => d.credit.find((c) => c.windowDays === w && c.model === m && c.channel === r[0])?.conversions ?? 0),
      })),
    });
    md.push(`## ${w}-day window`, '', mdTable(table), '', `![credit by model, ${w}-day window](${chartFile(w)})`, '');
    html.push(`<h2>${w}-day window</h2>`, htmlTable(table), charts[chartFile(w)]);
  }
  const windows = windowTable(d);
  md.push('## Attribution window: naive vs attributed vs out of window', '', mdTable(windows), '');
  html.push('<h2>Attribution window: naive vs attributed vs out of window</h2>', htmlTable(windows), '</body></html>');
  return { markdown: md.join('\n'), html: html.join('\n') + '\n', charts };
}
