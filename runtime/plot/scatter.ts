/**
 * A declared `scatter(x, y)` figure: one logged value against another, e.g. validation loss
 * against weight norm, over the steps of one run or over the members of a sweep.
 */
import type { TopLevelSpec } from 'vega-lite';
import { chartFrame, renderSvg } from './render.js';

export interface ScatterPoint {
  readonly x: number;
  readonly y: number;
  /** Step or member index: points are joined and coloured in this order. */
  readonly order: number;
}

export interface ScatterHighlight {
  readonly x: number;
  readonly y: number;
  readonly label: string;
}

export interface ScatterOptions {
  readonly title: string;
  readonly subtitle?: string;
  readonly xLabel: string;
  readonly yLabel: string;
  /** What `order` counts, for the colour legend: "step", "member". */
  readonly orderLabel: string;
  readonly points: readonly ScatterPoint[];
  readonly highlights?: readonly ScatterHighlight[];
}

export const scatterSpec = (o: ScatterOptions): TopLevelSpec => {
  const pts = o.points.filter((p) => Number.isFinite(p.x) && Number.isFinite(p.y));
  const hls = (o.highlights ?? []).filter((h) => Number.isFinite(h.x) && Number.isFinite(h.y));
  const x = { field: 'x', type: 'quantitative' as const, axis: { title: o.xLabel }, scale: { zero: false } };
  const y = { field: 'y', type: 'quantitative' as const, axis: { title: o.yLabel }, scale: { zero: false } };
  return {
    ...chartFrame(o.title, o.subtitle),
    layer: [
      { data: { values: pts }, mark: { type: 'line', color: '#bbbbbb', strokeWidth: 1 }, encoding: { x, y, order: { field: 'order', type: 'quantitative' } } },
      {
        data: { values: pts },
        mark: { type: 'point', filled: true, size: pts.length > 200 ? 18 : 40 },
        encoding: { x, y, color: { field: 'order', type: 'quantitative', scale: { scheme: 'viridis' }, legend: { title: o.orderLabel, orient: 'right' } } },
      },
      ...(hls.length > 0
        ? [
            {
              data: { values: hls },
              layer: [
                { mark: { type: 'point' as const, shape: 'diamond', size: 180, filled: true, color: '#d62728', opacity: 1 }, encoding: { x, y } },
                {
                  mark: { type: 'text' as const, align: 'left' as const, dx: 10, dy: -10, fontSize: 12, color: '#d62728' },
                  encoding: { x, y, text: { field: 'label', type: 'nominal' as const } },
                },
              ],
            },
          ]
        : []),
    ],
  };
};

export const scatterChart = (o: ScatterOptions): Promise<string> => renderSvg(scatterSpec(o));
