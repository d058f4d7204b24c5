/**
 * Chart (b): a regularization path, validation loss against the fitted norm, one point per
 * penalty λ; the best point of the path and given markers (the cross-regularization result) on top.
 */
import type { TopLevelSpec } from 'vega-lite';
import type { PathMarker, PathPoint } from './formats.js';
import { formatValue } from './lines.js';
import { chartFrame, renderSvg } from './render.js';

export interface PathOptions {
  readonly title: string;
  readonly subtitle?: string;
  /** x axis title, e.g. "L1 norm of w". */
  readonly normLabel: string;
  /** y axis title, e.g. "validation MSE". */
  readonly lossLabel: string;
  readonly points: readonly PathPoint[];
  readonly markers?: readonly PathMarker[];
}

const VALIDATION = 'path: validation';
const TEST = 'path: test';
const MARKER_COLOR = '#d62728';
const BEST_COLOR = '#2ca02c';

const finitePoint = (p: PathPoint): boolean => Number.isFinite(p.lambda) && Number.isFinite(p.norm) && Number.isFinite(p.reg_loss);

/** The point of lowest validation loss (the first one on ties), if any. */
export const bestPathPoint = (points: readonly PathPoint[]): PathPoint | undefined =>
  points.filter(finitePoint).reduce<PathPoint | undefined>((best, p) => (best === undefined || p.reg_loss < best.reg_loss ? p : best), undefined);

/** "l1" → "L1 norm", anything else is taken as the label itself. */
export const normAxisTitle = (norm: string | undefined): string => {
  const n = (norm ?? 'norm').toLowerCase();
  return n === 'l1' || n === 'l2' ? `${n.toUpperCase()} norm` : (norm ?? 'norm');
};

export const pathSpec = (o: PathOptions): TopLevelSpec => {
  const pts = o.points.filter(finitePoint);
  const rows = [
    ...pts.map((p) => ({ norm: p.norm, loss: p.reg_loss, lambda: p.lambda, curve: VALIDATION })),
    ...pts.flatMap((p) => (p.test_loss !== undefined && Number.isFinite(p.test_loss) ? [{ norm: p.norm, loss: p.test_loss, lambda: p.lambda, curve: TEST }] : [])),
  ];
  const curves = rows.some((r) => r.curve === TEST) ? [VALIDATION, TEST] : [VALIDATION];
  const best = bestPathPoint(pts);
  const bestLabel = best !== undefined ? `best on path: λ = ${formatValue(best.lambda)}` : undefined;
  const markers = (o.markers ?? []).filter((m) => Number.isFinite(m.norm) && Number.isFinite(m.reg_loss)).map((m) => ({ norm: m.norm, loss: m.reg_loss, label: m.label ?? 'cross-regularization' }));
  const markerLabels = [...new Set(markers.map((m) => m.label))];
  const domain = [...curves, ...(bestLabel !== undefined ? [bestLabel] : []), ...markerLabels];
  const range = [
    ...curves.map((c) => (c === VALIDATION ? '#4c78a8' : '#9ecae9')),
    ...(bestLabel !== undefined ? [BEST_COLOR] : []),
    ...markerLabels.map((_, i) => (i === 0 ? MARKER_COLOR : ['#9467bd', '#8c564b', '#e377c2'][(i - 1) % 3] ?? MARKER_COLOR)),
  ];
  const color = { field: 'kind', type: 'nominal' as const, scale: { domain, range }, legend: { title: null, orient: 'right' as const, symbolType: 'circle' } };
  const x = { field: 'norm', type: 'quantitative' as const, axis: { title: o.normLabel }, scale: { zero: false } };
  const y = { field: 'loss', type: 'quantitative' as const, axis: { title: o.lossLabel }, scale: { zero: false } };
  return {
    ...chartFrame(o.title, o.subtitle),
    layer: [
      {
        data: { values: rows.map((r) => ({ ...r, kind: r.curve })) },
        mark: { type: 'line', strokeWidth: 2, point: pts.length <= 60 ? { size: 25, filled: true } : false },
        encoding: { x, y, color, detail: { field: 'curve', type: 'nominal' }, order: { field: 'lambda', type: 'quantitative' } },
      },
      ...(best !== undefined && bestLabel !== undefined
        ? [
            {
              data: { values: [{ norm: best.norm, loss: best.reg_loss, kind: bestLabel }] },
              mark: { type: 'point' as const, shape: 'circle', size: 220, strokeWidth: 2.5, filled: false },
              encoding: { x, y, color },
            },
          ]
        : []),
      ...(markers.length > 0
        ? [
            {
              data: { values: markers.map((m) => ({ ...m, kind: m.label })) },
              layer: [
                { mark: { type: 'point' as const, shape: 'diamond', size: 200, filled: true, opacity: 1 }, encoding: { x, y, color } },
                {
                  mark: { type: 'text' as const, align: 'left' as const, dx: 10, dy: -10, fontSize: 12, color: MARKER_COLOR },
                  encoding: { x, y, text: { field: 'label', type: 'nominal' as const } },
                },
              ],
            },
          ]
        : []),
    ],
  };
};

export const pathChart = (o: PathOptions): Promise<string> => renderSvg(pathSpec(o));
