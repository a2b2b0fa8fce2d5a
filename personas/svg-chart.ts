import type { Grid } from './drift-grid';
import type { FeatureDrift } from './drift-stats';

/**
 * One feature's drift chart as a self-contained SVG: reference and current densities on the
 * same axis (grid coarsened to 50 bars), the metrics in the title, drifted features in red.
 */
export function featureChartSvg(f: FeatureDrift, grid: Grid, reference: number[], current: number[], caption: string): string {
  const W = 640,
    H = 300,
    PAD = 40,
    BARS = 50;
  const group = Math.ceil(reference.length / BARS);
  const coarse = (xs: number[]) => {
    const total = xs.reduce((s, x) => s + x, 0) || 1;
    return Array.from({ length: Math.ceil(xs.length / group) }, (_, i) => xs.slice(i * group, (i + 1) * group).reduce((s, x) => s + x, 0) / total);
  };
  const r = coarse(reference);
  const c = coarse(current);
  const top = Math.max(...r, ...c, 1e-9);
  const x = (i: number) => PAD + (i / r.length) * (W - 2 * PAD);
  const y = (v: number) => H - PAD - (v / top) * (H - 2 * PAD - 30);
  const step = (xs: number[]) => xs.map((v, i) => `${i ? 'L' : 'M'}${x(i).toFixed(1)},${y(v).toFixed(1)} L${x(i + 1).toFixed(1)},${y(v).toFixed(1)}`).join(' ');
  const bars = r
    .map(
      (v, i) =>
        `<rect x="${x(i).toFixed(1)}" y="${y(v).toFixed(1)}" width="${(x(1) - x(0) - 1).toFixed(1)}" height="${(H - PAD - y(v)).toFixed(1)}" fill="#9db4d3"/>`,
    )
    .join('');
  const hi = grid.lo + grid.width * grid.bins;
  const title = `${f.feature}: PSI ${f.psi.toFixed(3)} · KS ${f.ks.toFixed(3)} · W/σ ${f.wassersteinNorm.toFixed(3)} · ${f.drifted ? 'DRIFTED' : 'stable'}`;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">
<rect width="${W}" height="${H}" fill="white"/>
<text x="${PAD}" y="20" font-size="14" fill="${f.drifted ? '#b00020' : '#222'}">${escapeXml(title)}</text>
<text x="${PAD}" y="36" fill="#555">${escapeXml(caption)}</text>
${bars}
<path d="${step(c)}" fill="none" stroke="#d2691e" stroke-width="2"/>
<line x1="${PAD}" y1="${H - PAD}" x2="${W - PAD}" y2="${H - PAD}" stroke="#333"/>
<text x="${PAD}" y="${H - PAD + 16}">${grid.lo.toFixed(2)}</text>
<text x="${W - PAD}" y="${H - PAD + 16}" text-anchor="end">${hi.toFixed(2)}</text>
<text x="${W / 2}" y="${H - 8}" text-anchor="middle" fill="#555">bars: reference (mean ${f.referenceMean.toFixed(2)}) · line: current (mean ${f.currentMean.toFixed(2)})</text>
</svg>
`;
}

function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
