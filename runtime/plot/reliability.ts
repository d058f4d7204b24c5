/** Chart (c): a reliability diagram, accuracy per confidence bin against the diagonal, ECE in the title. */
import type { TopLevelSpec } from 'vega-lite';
import type { ReliabilityBin } from './formats.js';
import { chartFrame, renderSvg } from './render.js';

export interface ReliabilityOptions {
  readonly title: string;
  /** Equal-width bins on [0, 1], in order. */
  readonly bins: readonly ReliabilityBin[];
  /** Taken from the bins when absent. */
  readonly ece?: number;
}

/** Σ_b (n_b / N) |acc_b − conf_b|; NaN when no example fell in any bin. */
export const expectedCalibrationError = (bins: readonly ReliabilityBin[]): number => {
  const total = bins.reduce((s, b) => s + b.count, 0);
  return bins.reduce((s, b) => s + (b.count / total) * Math.abs(b.accuracy - b.confidence), 0);
};

const SIDE = 380;

export const reliabilitySpec = (o: ReliabilityOptions): TopLevelSpec => {
  const n = o.bins.length;
  const rows = o.bins
    .map((b, i) => ({ lo: i / n, hi: (i + 1) / n, accuracy: b.accuracy, confidence: b.confidence, count: b.count }))
    .filter((r) => r.count > 0 && Number.isFinite(r.accuracy) && Number.isFinite(r.confidence));
  const ece = o.ece ?? expectedCalibrationError(o.bins);
  const total = o.bins.reduce((s, b) => s + b.count, 0);
  const unit = { domain: [0, 1], nice: false, zero: true };
  const x = { field: 'lo', type: 'quantitative' as const, scale: unit, axis: { title: 'confidence', tickCount: 5, grid: false } };
  const y = { type: 'quantitative' as const, scale: unit, axis: { title: 'accuracy', tickCount: 5 } };
  const kinds = { domain: ['accuracy', 'gap to confidence', 'perfect calibration'], range: ['#4c78a8', '#e45756', '#555'] };
  const color = { field: 'kind', type: 'nominal' as const, scale: kinds, legend: { title: null, orient: 'top-left' as const, fillColor: 'white', padding: 6 } };
  return {
    ...chartFrame(`${o.title} (ECE = ${Number.isFinite(ece) ? ece.toFixed(3) : 'n/a'})`, `${total} examples, ${n} equal-width bins`, SIDE, SIDE),
    layer: [
      {
        data: { values: rows.map((r) => ({ ...r, kind: 'accuracy' })) },
        mark: { type: 'bar', stroke: 'white', strokeWidth: 1 },
        encoding: { x, x2: { field: 'hi' }, y: { ...y, field: 'accuracy' }, y2: { datum: 0 }, color },
      },
      {
        data: { values: rows.map((r) => ({ ...r, kind: 'gap to confidence' })) },
        mark: { type: 'bar', opacity: 0.35, stroke: '#e45756', strokeWidth: 1 },
        encoding: { x, x2: { field: 'hi' }, y: { ...y, field: 'accuracy' }, y2: { field: 'confidence' }, color },
      },
      {
        data: { values: [{ lo: 0, y: 0, kind: 'perfect calibration' }, { lo: 1, y: 1, kind: 'perfect calibration' }] },
        mark: { type: 'line', strokeDash: [6, 4], strokeWidth: 1.5 },
        encoding: { x, y: { ...y, field: 'y' }, color },
      },
    ],
  };
};

export const reliabilityChart = (o: ReliabilityOptions): Promise<string> => renderSvg(reliabilitySpec(o));
