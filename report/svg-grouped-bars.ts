/**
 * A grouped bar chart as a standalone SVG string: one group per category (channel), one bar per
 * series (model). Hand-written, no dependencies; every text is XML-escaped.
 */
export interface GroupedBars {
  title: string;
  yLabel: string;
  categories: string[];
  series: { name: string; values: number[] }[];
}

const PALETTE = ['#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#edc948', '#b07aa1', '#ff9da7'];
const W = 960;
const H = 420;
const M = { top: 48, right: 180, bottom: 72, left: 64 };

export function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}

/** A "nice" axis maximum and step (1, 2 or 5 × 10^k) covering `max` in about five ticks. */
export function niceScale(max: number): { top: number; step: number } {
  if (!(max > 0)) return { top: 1, step: 0.2 };
  const raw = max / 5;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  return { top: Math.ceil(max / step) * step, step };
}

const num = (n: number) => (Number.isInteger(n) ? String(n) : n.toFixed(2).replace(/\.?0+$/, ''));

export function groupedBarsSvg(chart: GroupedBars): string {
  const plotW = W - M.left - M.right;
  const plotH = H - M.top - M.bottom;
  const max = Math.max(0, ...chart.series.flatMap((s) => s.values));
  const { top, step } = niceScale(max);
  const y = (v: number) => M.top + plotH - (Math.max(0, v) / top) * plotH;
  const groupW = plotW / Math.max(1, chart.categories.length);
  const barW = (groupW * 0.8) / Math.max(1, chart.series.length);
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="#ffffff"/>`,
    `<text x="${W / 2}" y="24" text-anchor="middle" font-size="16" font-weight="bold">${escapeXml(chart.title)}</text>`,
    `<text transform="translate(16 ${M.top + plotH / 2}) rotate(-90)" text-anchor="middle">${escapeXml(chart.yLabel)}</text>`,
  ];
  for (let v = 0; v <= top + step / 2; v += step) {
    out.push(`<line x1="${M.left}" x2="${M.left + plotW}" y1="${y(v).toFixed(1)}" y2="${y(v).toFixed(1)}" stroke="#e0e0e0"/>`);
    out.push(`<text x="${M.left - 6}" y="${(y(v) + 4).toFixed(1)}" text-anchor="end">${num(Math.round(v * 1e6) / 1e6)}</text>`);
  }
  chart.categories.forEach((category, ci) => {
    const x0 = M.left + ci * groupW + groupW * 0.1;
    chart.series.forEach((s, si) => {
      const v = s.values[ci] ?? 0;
      const x = x0 + si * barW;
      out.push(
        `<rect x="${x.toFixed(1)}" y="${y(v).toFixed(1)}" width="${Math.max(1, barW - 1).toFixed(1)}" height="${(M.top + plotH - y(v)).toFixed(1)}" fill="${PALETTE[si % PALETTE.length]}">` +
          `<title>${escapeXml(`${category} · ${s.name}: ${num(v)}`)}</title></rect>`,
      );
    });
    const cx = M.left + ci * groupW + groupW / 2;
    out.push(`<text x="${cx.toFixed(1)}" y="${M.top + plotH + 16}" text-anchor="middle">${escapeXml(category)}</text>`);
  });
  out.push(`<line x1="${M.left}" x2="${M.left + plotW}" y1="${M.top + plotH}" y2="${M.top + plotH}" stroke="#333"/>`);
  chart.series.forEach((s, si) => {
    const ly = M.top + si * 20;
    out.push(`<rect x="${W - M.right + 16}" y="${ly}" width="12" height="12" fill="${PALETTE[si % PALETTE.length]}"/>`);
    out.push(`<text x="${W - M.right + 34}" y="${ly + 10}">${escapeXml(s.name)}</text>`);
  });
  out.push('</svg>');
  return out.join('\n') + '\n';
}
