import { renderAttributionReport } from '../../report/attribution-report';
import { groupedBarsSvg, niceScale } from '../../report/svg-grouped-bars';

test('axis scale: 1, 2 or 5 × 10^k steps that cover the maximum', () => {
  expect(niceScale(0)).toEqual({ top: 1, step: 0.2 });
  expect(niceScale(1)).toEqual({ top: 1, step: 0.2 });
  expect(niceScale(7.3)).toEqual({ top: 8, step: 2 });
  expect(niceScale(1234)).toEqual({ top: 1500, step: 500 });
});

test('bars are proportional to their values, and every text is escaped', () => {
  const svg = groupedBarsSvg({ title: 'A <b> & "c"', yLabel: 'n', categories: ['x<y', 'z'], series: [{ name: 'm&m', values: [5, 10] }] });
  expect(svg).toContain('>A &lt;b&gt; &amp; &quot;c&quot;</text>');
  expect(svg).toContain('<title>x&lt;y · m&amp;m: 5</title>');
  expect(svg).not.toMatch(/<b>|m&m/);
  const heights = [...svg.matchAll(/<rect [^>]*height="([\d.]+)" fill="#4e79a7"><title>/g)].map((m) => Number(m[1]));
  expect(heights).toHaveLength(2);
  expect(heights[1]).toBeCloseTo(2 * heights[0], 0);
});

test('an empty range still renders both tables and a chart', () => {
  const r = renderAttributionReport({
    from: '2026-11-01',
    to: '2026-11-01',
    windows: [7],
    models: ['linear'],
    currency: 'EUR',
    settings: { halfLifeDays: 7, firstWeight: 0.4, lastWeight: 0.4 },
    credit: [],
    summary: [],
  });
  expect(r.markdown).toBe(
    [
      '# Attribution 2026-11-01 to 2026-11-01',
      '',
      'Conversions credited (revenue credited) per channel and model; `unattributed` = no touch in the window. Amounts in EUR. Settings: time decay with a half-life 7 days; position-based 40 % first / 40 % last (20 % shared by the middle touches).',
      '',
      '## 7-day window',
      '',
      '| channel | linear |',
      '| --- | --- |',
      '',
      '![credit by model, 7-day window](credit-by-model-w7.svg)',
      '',
      '## Attribution window: naive vs attributed vs out of window',
      '',
      '| channel | naive | attributed 7d | out of window 7d |',
      '| --- | --- | --- | --- |',
      '',
    ].join('\n'),
  );
  expect(Object.keys(r.charts)).toEqual(['credit-by-model-w7.svg']);
  expect(r.html).toContain('<h2>7-day window</h2>');
});
