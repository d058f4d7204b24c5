/**
 * The small files a run directory may hold for pictures that need more than logged scalars.
 * The runtime and the programs write them; `xreg plot` reads them. All optional.
 */
import * as t from 'io-ts';

export const PATH_FILE = 'path.json';
export const RELIABILITY_FILE = 'reliability.json';
export const SPLINE_FILE = 'spline.json';
export const REFERENCES_FILE = 'references.json';
export const COEFFICIENTS_FILE = 'coefficients.json';
export const METRICS_FILE = 'metrics.jsonl';
export const MANIFEST_FILE = 'manifest.json';

/**
 * A logged value; non-finite numbers are written as "NaN", "Infinity" or "-Infinity" by the
 * metrics writer (null: files written before that, when all three were null).
 */
export const MetricValue = t.union([t.number, t.null, t.keyof({ NaN: null, Infinity: null, '-Infinity': null })], 'number, "NaN", "Infinity", "-Infinity" or null');

/** One line of metrics.jsonl. Every other key is a logged scalar. */
export const MetricsRow = t.intersection([
  t.type({ step: t.number, epoch: t.number }),
  t.partial({ member: t.number }),
  t.record(t.string, MetricValue),
]);
export type MetricsRow = t.TypeOf<typeof MetricsRow>;

/** One penalty of a regularization path (a sweep member at the end of its training). */
export const PathPoint = t.intersection([
  t.type({ lambda: t.number, norm: t.number, reg_loss: t.number }),
  t.partial({ test_loss: t.number }),
]);
export type PathPoint = t.TypeOf<typeof PathPoint>;

/** A point drawn over the path, e.g. where cross-regularization ended. */
export const PathMarker = t.intersection([
  t.type({ norm: t.number, reg_loss: t.number }),
  t.partial({ label: t.string }),
]);
export type PathMarker = t.TypeOf<typeof PathMarker>;

/**
 * path.json. `norm` says which norm the x axis is (`l1`, `l2`, or any label); `loss` names the
 * y axis (default "validation MSE").
 */
export const PathFile = t.intersection([
  t.type({ points: t.array(PathPoint) }),
  t.partial({ norm: t.string, loss: t.string, markers: t.array(PathMarker) }),
]);
export type PathFile = t.TypeOf<typeof PathFile>;

/** One confidence bin: mean confidence, accuracy, and how many examples fell in it. */
export const ReliabilityBin = t.type({ confidence: t.number, accuracy: t.number, count: t.number });
export type ReliabilityBin = t.TypeOf<typeof ReliabilityBin>;

/**
 * reliability.json. Bins are equal-width on [0, 1] in order (bin i covers [i/n, (i+1)/n)); empty
 * bins have count 0. `ece` is computed from the bins when absent.
 */
const OneReliability = t.intersection([t.type({ bins: t.array(ReliabilityBin) }), t.partial({ ece: t.number, title: t.string })]);
/**
 * The first figure's bins stand at the top level (the file's first form); `figures` holds every
 * reliability figure of the program by name, so a program may draw several.
 */
export const ReliabilityFile = t.intersection([OneReliability, t.partial({ figures: t.record(t.string, OneReliability) })]);
export type ReliabilityFile = t.TypeOf<typeof ReliabilityFile>;

export const XY = t.type({ x: t.number, y: t.number });
export type XY = t.TypeOf<typeof XY>;

/** A data point of spline.json; `split` (train, reg, test) colours it. */
export const SplineDatum = t.intersection([XY, t.partial({ split: t.string })]);
export type SplineDatum = t.TypeOf<typeof SplineDatum>;

export const SplineCurve = t.type({ name: t.string, points: t.array(XY) });
export type SplineCurve = t.TypeOf<typeof SplineCurve>;

/** spline.json: the data and one or more fitted (or true) curves. */
export const SplineFile = t.type({ data: t.array(SplineDatum), curves: t.array(SplineCurve) });
export type SplineFile = t.TypeOf<typeof SplineFile>;

/**
 * references.json: horizontal lines to draw on the chart of a logged series, e.g. the norm of the
 * best ridge fit over the `rho` chart.
 */
export const Reference = t.type({ series: t.string, value: t.number, label: t.string });
export type Reference = t.TypeOf<typeof Reference>;
export const ReferencesFile = t.array(Reference);
export type ReferencesFile = t.TypeOf<typeof ReferencesFile>;

/** A figure declared by the program (`figure name = kind(series...)`), as the manifest lists it. */
export const ManifestFigure = t.type({ name: t.string, kind: t.string, series: t.array(t.string) });
export type ManifestFigure = t.TypeOf<typeof ManifestFigure>;

/**
 * What `xreg plot` reads from manifest.json; other keys are ignored, so this does not depend on
 * the rest of the manifest's shape. `losses` lists the program's loss names, `selected` the
 * member a sweep selected.
 */
export const ManifestPlotView = t.partial({
  losses: t.array(t.string),
  figures: t.array(ManifestFigure),
  selected: t.number,
  program: t.partial({ path: t.string }),
});
export type ManifestPlotView = t.TypeOf<typeof ManifestPlotView>;

/** One set of fitted coefficients, e.g. cross-regularization's w or the best ridge's. */
export const CoefficientSeries = t.type({ name: t.string, values: t.array(t.number) });
export type CoefficientSeries = t.TypeOf<typeof CoefficientSeries>;

/**
 * coefficients.json: coefficient vectors to compare index by index (paper Fig. 1 B–C). `labels`
 * names the coefficients (feature names); without it the x axis is the index.
 */
export const CoefficientsFile = t.intersection([
  t.type({ series: t.array(CoefficientSeries) }),
  t.partial({ title: t.string, subtitle: t.string, labels: t.array(t.string) }),
]);
export type CoefficientsFile = t.TypeOf<typeof CoefficientsFile>;
