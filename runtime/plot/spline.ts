/** Chart (d): a fitted curve (or several) over the data points it was fitted to. */
import type { TopLevelSpec } from 'vega-lite';
import type { SplineCurve, SplineDatum } from './formats.js';
import { chartFrame, renderSvg } from './render.js';

export interface SplineOptions {
  readonly title: string;
  readonly subtitle?: string;
  readonly data: readonly SplineDatum[];
  readonly curves: readonly SplineCurve[];
}

const DATA_COLORS = ['#7f7f7f', '#ff7f0e', '#9467bd', '#8c564b'];
const CURVE_COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#17becf', '#bcbd22'];

export const splineSpec = (o: SplineOptions): TopLevelSpec => {
  const finite = (p: { x: number; y: number }): boolean => Number.isFinite(p.x) && Number.isFinite(p.y);
  const dataKinds = [...new Set(o.data.map((d) => (d.split !== undefined ? `data: ${d.split}` : 'data')))];
  const curveNames = o.curves.map((c) => c.name);
  const color = {
    field: 'kind',
    type: 'nominal' as const,
    scale: {
      domain: [...dataKinds, ...curveNames],
      range: [...dataKinds.map((_, i) => DATA_COLORS[i % DATA_COLORS.length] ?? '#7f7f7f'), ...curveNames.map((_, i) => CURVE_COLORS[i % CURVE_COLORS.length] ?? '#1f77b4')],
    },
    legend: { title: null, orient: 'right' as const, labelLimit: 360 },
  };
  const x = { field: 'x', type: 'quantitative' as const, scale: { zero: false, nice: false } };
  const y = { field: 'y', type: 'quantitative' as const, scale: { zero: false } };
  return {
    ...chartFrame(o.title, o.subtitle),
    layer: [
      {
        data: { values: o.curves.flatMap((c) => [...c.points].filter(finite).sort((a, b) => a.x - b.x).map((p, i) => ({ ...p, i, kind: c.name }))) },
        mark: { type: 'line', strokeWidth: 2.5 },
        encoding: { x, y, color, order: { field: 'i', type: 'quantitative' } },
      },
      {
        data: { values: o.data.filter(finite).map((d) => ({ x: d.x, y: d.y, kind: d.split !== undefined ? `data: ${d.split}` : 'data' })) },
        mark: { type: 'point', filled: true, size: 45, opacity: 0.85 },
        encoding: { x, y, color },
      },
    ],
  };
};

export const splineChart = (o: SplineOptions): Promise<string> => renderSvg(splineSpec(o));
