import { describe, expect, it } from 'vitest';
import type { MetricsRow } from '../../runtime/plot/formats.js';
import { planCharts, safeFileName } from '../../runtime/plot/plan.js';
import { expandSeries, lastPerMember } from '../../runtime/plot/series.js';

const row = (step: number, values: Record<string, number | null>, member?: number): MetricsRow => ({ step, epoch: 0, ...(member !== undefined ? { member } : {}), ...values });

describe('planCharts', () => {
  it('draws one chart per series when the manifest lists no losses', () => {
    const p = planCharts({ rows: [row(0, { fit: 1, gen: 2 }), row(1, { fit: 0.5, gen: 1 })], manifest: {} });
    expect(p.jobs.map((j) => j.file)).toEqual(['metric-fit.svg', 'metric-gen.svg']);
  });

  it('groups only the listed losses that were logged', () => {
    const p = planCharts({ rows: [row(0, { fit: 1, gen: 2, acc: 0.5 })], manifest: { losses: ['fit', 'gen', 'other'] } });
    expect(p.jobs.map((j) => j.file)).toEqual(['losses.svg', 'metric-acc.svg']);
  });

  it('expands a declared figure over the entries of a vector logged per index', () => {
    const rows = [row(0, { 'sigmas[0]': 0.1, 'sigmas[1]': 0.2, loss: 1 })];
    const p = planCharts({ rows, manifest: { figures: [{ name: 'noise', kind: 'lines', series: ['sigmas'] }] } });
    const fig = p.jobs.find((j) => j.file === 'figure-noise.svg');
    expect(fig?.title).toBe('noise: sigmas[0], sigmas[1]');
    expect(expandSeries(['sigmas.0', 'sigmas.1', 'sigmasx'], 'sigmas')).toEqual(['sigmas.0', 'sigmas.1']);
    expect(expandSeries(['a', 'a[0]'], 'a')).toEqual(['a']);
  });

  it('draws series that a declared lines figure shows together only in that figure', () => {
    const rows = [row(0, { 'net.b1.log_sigma': -3, 'net.b2.log_sigma': -2, rho: 1, loss: 1 })];
    const figures = [
      { name: 'sigmas', kind: 'lines', series: ['net.b1.log_sigma', 'net.b2.log_sigma'] },
      { name: 'norm', kind: 'lines', series: ['rho'] },
    ];
    const p = planCharts({ rows, manifest: { figures } });
    expect(p.jobs.map((j) => j.file)).toEqual(['metric-rho.svg', 'metric-loss.svg', 'figure-sigmas.svg', 'figure-norm.svg']);
  });

  it('reports figures it cannot draw', () => {
    const p = planCharts({
      rows: [row(0, { x: 1 })],
      manifest: {
        figures: [
          { name: 'cal', kind: 'reliability', series: [] },
          { name: 'pie', kind: 'pie', series: ['x'] },
          { name: 'sc', kind: 'scatter', series: ['x'] },
          { name: 'sc2', kind: 'scatter', series: ['x', 'y'] },
        ],
      },
    });
    expect(p.notes).toEqual([
      'figure cal: reliability.json not found',
      'figure pie: unknown kind pie',
      'figure sc: scatter needs two logged names, got 1',
      'figure sc2: y not logged',
    ]);
  });

  it('keeps file names distinct and safe', () => {
    const p = planCharts({ rows: [row(0, { 'a b': 1, a_b: 2, '../up': 3 })], manifest: {} });
    expect(p.jobs.map((j) => j.file)).toEqual(['metric-a_b.svg', 'metric-a_b-2.svg', 'metric-up.svg']);
    expect(safeFileName('///')).toBe('chart');
  });
});

describe('lastPerMember', () => {
  it('takes each member’s latest report where both values are finite', () => {
    const rows = [row(0, { x: 1, y: 1 }, 0), row(5, { x: 2, y: 3 }, 0), row(9, { x: 4, y: null }, 0), row(5, { x: 7, y: 8 }, 1)];
    expect(lastPerMember(rows, 'x', 'y')).toEqual([
      { member: 0, x: 2, y: 3 },
      { member: 1, x: 7, y: 8 },
    ]);
  });
});
