/**
 * Chart: coefficient vectors side by side, one point per coefficient and series, so that a learned
 * w can be read against a baseline's (the paper's Fig. 1 B–C: cross-regularized ridge against the
 * cross-validated one; LASSO's zeros against the path's).
 */
import type { TopLevelSpec } from 'vega-lite';
import type { CoefficientSeries } from './formats.js';
import { chartFrame, renderSvg } from './render.js';

export interface CoefficientsOptions {
  readonly title: string;
  readonly subtitle?: string;
  readonly series: readonly CoefficientSeries[];
  /** Names of the coefficients; the index when absent or too short. */
  readonly labels?: readonly string[];
}

const COLORS = ['#d62728', '#1f77b4', '#2ca02c', '#9467bd', '#ff7f0e'];
const SHAPES = ['circle', 'diamond', 'square', 'triangle-up', 'cross'];

export const coefficientsSpec = (o: CoefficientsOptions): TopLevelSpec => {
  const names = o.series.map((s) => s.name);
  const named = o.labels !== undefined && o.series.every((s) => s.values.length <= (o.labels?.length ?? 0));
  const values = o.series.flatMap((s) =>
    s.values.flatMap((v, i) => (Number.isFinite(v) ? [{ i, label: named ? (o.labels?.[i] ?? String(i)) : i, value: v, series: s.name }] : [])),
  );
  // Many coefficients read better as dots over an index axis; a few named ones as categories.
  const x = named
    ? { field: 'label', type: 'nominal' as const, sort: null, title: 'coefficient', axis: { labelAngle: -45 } }
    : { field: 'i', type: 'quantitative' as const, title: 'coefficient index', scale: { nice: false } };
  return {
    ...chartFrame(o.title, o.subtitle),
    layer: [
      { data: { values: [{ zero: 0 }] }, mark: { type: 'rule', color: '#888', strokeDash: [3, 3] }, encoding: { y: { field: 'zero', type: 'quantitative' } } },
      {
        data: { values },
        mark: { type: 'point', filled: true, size: 55, opacity: 0.8 },
        encoding: {
          x,
          y: { field: 'value', type: 'quantitative', title: 'value' },
          color: { field: 'series', type: 'nominal', scale: { domain: names, range: names.map((_, k) => COLORS[k % COLORS.length] ?? '#1f77b4') }, legend: { title: null, orient: 'right' } },
          shape: { field: 'series', type: 'nominal', scale: { domain: names, range: names.map((_, k) => SHAPES[k % SHAPES.length] ?? 'circle') }, legend: null },
          tooltip: [{ field: 'series' }, { field: named ? 'label' : 'i' }, { field: 'value', type: 'quantitative', format: '.4g' }],
        },
      },
    ],
  };
};

export const coefficientsChart = (o: CoefficientsOptions): Promise<string> => renderSvg(coefficientsSpec(o));
