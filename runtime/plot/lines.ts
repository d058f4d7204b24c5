/** Chart (a): one or more series over steps, optionally on a log y axis, with horizontal reference lines. */
import type { TopLevelSpec } from 'vega-lite';
import { chartFrame, renderSvg } from './render.js';
import { logAxis, logLabelExpr, maxOf } from './ticks.js';

export interface Point {
  readonly x: number;
  readonly y: number;
}

export interface Series {
  readonly name: string;
  readonly points: readonly Point[];
}

/** A horizontal line across the chart, e.g. the norm of the best ridge fit. */
export interface ReferenceLine {
  readonly value: number;
  readonly label: string;
}

export interface LinesOptions {
  readonly title: string;
  readonly subtitle?: string;
  readonly xLabel?: string;
  readonly yLabel?: string;
  readonly series: readonly Series[];
  readonly logY?: boolean;
  readonly references?: readonly ReferenceLine[];
}

/** Few points read better with a marker on each. */
const MARKERS_BELOW = 40;

export const formatValue = (v: number): string => {
  const a = Math.abs(v);
  return a !== 0 && (a < 1e-3 || a >= 1e5) ? v.toExponential(2) : String(Number(v.toPrecision(4)));
};

const usable = (logY: boolean) => (p: Point): boolean => Number.isFinite(p.x) && Number.isFinite(p.y) && (!logY || p.y > 0);

/** The y encoding's scale and axis: log axes get decade domains and power-of-ten ticks. */
export const yScaleAxis = (ys: readonly number[], logY: boolean, title: string | null) => {
  const la = logY ? logAxis(ys) : undefined;
  return la
    ? { scale: { type: 'log' as const, domain: [la.domain[0], la.domain[1]] }, axis: { title, values: [...la.ticks], labelExpr: logLabelExpr } }
    : { scale: { zero: false }, axis: { title } };
};

export const linesSpec = (o: LinesOptions): TopLevelSpec => {
  const logY = o.logY ?? false;
  const rows = o.series.flatMap((s) => s.points.filter(usable(logY)).map((p) => ({ x: p.x, y: p.y, series: s.name })));
  const refs = (o.references ?? []).filter((r) => Number.isFinite(r.value) && (!logY || r.value > 0));
  const ys = [...rows.map((r) => r.y), ...refs.map((r) => r.value)];
  const maxPerSeries = Math.max(0, ...o.series.map((s) => s.points.length));
  const several = o.series.length > 1;
  const y = { field: 'y', type: 'quantitative' as const, ...yScaleAxis(ys, logY, o.yLabel ?? (several ? 'value' : (o.series[0]?.name ?? 'value'))) };
  const xmax = maxOf(rows.map((r) => r.x));
  const refRows = refs.map((r) => ({ y: r.value, text: `${r.label} = ${formatValue(r.value)}`, x: Number.isFinite(xmax) ? xmax : 0 }));
  return {
    ...chartFrame(o.title, o.subtitle),
    layer: [
      {
        data: { values: rows },
        mark: { type: 'line', strokeWidth: 2, point: maxPerSeries < MARKERS_BELOW ? { size: 30, filled: true } : false, clip: true },
        encoding: {
          x: { field: 'x', type: 'quantitative', axis: { title: o.xLabel ?? 'step', tickCount: 8 }, scale: { nice: false } },
          y,
          color: several
            ? { field: 'series', type: 'nominal', sort: o.series.map((s) => s.name), legend: { title: null, orient: 'right' } }
            : { value: '#4c78a8' },
        },
      },
      ...(refRows.length > 0
        ? [
            {
              data: { values: refRows },
              layer: [
                { mark: { type: 'rule' as const, strokeDash: [6, 4], strokeWidth: 1.5, color: '#d62728' }, encoding: { y: { field: 'y', type: 'quantitative' as const } } },
                {
                  mark: { type: 'text' as const, align: 'right' as const, baseline: 'bottom' as const, dy: -4, fontSize: 12, color: '#d62728' },
                  encoding: { x: { field: 'x', type: 'quantitative' as const }, y: { field: 'y', type: 'quantitative' as const }, text: { field: 'text', type: 'nominal' as const } },
                },
              ],
            },
          ]
        : []),
    ],
  };
};

export const linesChart = (o: LinesOptions): Promise<string> => renderSvg(linesSpec(o));
