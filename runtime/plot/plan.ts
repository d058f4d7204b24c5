/** Which charts a run directory gets: a pure function of its decoded files. */
import { coefficientsChart } from './coefficients.js';
import type { CoefficientsFile, ManifestFigure, ManifestPlotView, MetricsRow, PathFile, ReferencesFile, ReliabilityFile, SplineFile } from './formats.js';
import { linesChart, type ReferenceLine } from './lines.js';
import { membersChart, meanOverMembers } from './members.js';
import { normAxisTitle, pathChart } from './path.js';
import { reliabilityChart } from './reliability.js';
import { scatterChart } from './scatter.js';
import { expandSeries, hasMembers, lastPerMember, membersOf, seriesNames, seriesOf, valueOf } from './series.js';
import { splineChart } from './spline.js';
import { prefersLog } from './ticks.js';

export interface RunData {
  readonly rows: readonly MetricsRow[];
  readonly manifest: ManifestPlotView;
  readonly path?: PathFile;
  readonly reliability?: ReliabilityFile;
  readonly spline?: SplineFile;
  readonly references?: ReferencesFile;
  readonly coefficients?: CoefficientsFile;
}

export interface ChartJob {
  /** File name inside the figures folder. */
  readonly file: string;
  readonly title: string;
  readonly render: () => Promise<string>;
}

export interface Plan {
  readonly jobs: readonly ChartJob[];
  /** Declared figures that could not be drawn, and why. */
  readonly notes: readonly string[];
}

export const safeFileName = (name: string): string => name.replace(/[^A-Za-z0-9_-]+/g, '_').replace(/^_+|_+$/g, '') || 'chart';

const refsFor = (refs: ReferencesFile | undefined, names: readonly string[]): ReferenceLine[] =>
  (refs ?? []).filter((r) => names.includes(r.series)).map((r) => ({ value: r.value, label: r.label }));

const valuesOf = (rows: readonly MetricsRow[], names: readonly string[]): number[] => rows.flatMap((r) => names.filter((n) => n in r).map((n) => valueOf(r, n)));

/** A lines chart of the named series, or, for a run with members, per-member lines (one series) or member means (several). */
const seriesJob = (d: RunData, file: string, title: string, names: readonly string[], members: boolean, yLabel?: string): ChartJob => {
  const logY = prefersLog(valuesOf(d.rows, names));
  const references = refsFor(d.references, names);
  const only = names[0];
  if (members && names.length === 1 && only !== undefined)
    return {
      file,
      title,
      render: () => membersChart({ title, yLabel: only, members: membersOf(d.rows, only), logY, ...(d.manifest.selected !== undefined ? { highlight: d.manifest.selected } : {}) }),
    };
  const series = names.map((n) => ({ name: n, points: members ? meanOverMembers(membersOf(d.rows, n), logY) : seriesOf(d.rows, n) }));
  const subtitle = members ? `mean over ${new Set(d.rows.map((r) => r.member ?? 0)).size} members` : undefined;
  return { file, title, render: () => linesChart({ title, series, logY, references, ...(subtitle !== undefined ? { subtitle } : {}), ...(yLabel !== undefined ? { yLabel } : {}) }) };
};

const figureJob = (d: RunData, f: ManifestFigure, names: readonly string[], members: boolean): ChartJob | string => {
  const file = `figure-${safeFileName(f.name)}.svg`;
  switch (f.kind) {
    case 'lines': {
      const resolved = (f.series.length > 0 ? f.series : [f.name]).flatMap((s) => expandSeries(names, s));
      if (resolved.length === 0) return `figure ${f.name}: none of ${f.series.join(', ') || f.name} was logged`;
      const what = resolved.length <= 3 ? resolved.join(', ') : `${resolved.length} series`;
      const title = resolved.length === 1 && resolved[0] === f.name ? f.name : `${f.name}: ${what}`;
      return seriesJob(d, file, title, resolved, members);
    }
    case 'scatter': {
      const [xn, yn] = f.series;
      if (xn === undefined || yn === undefined) return `figure ${f.name}: scatter needs two logged names, got ${f.series.length}`;
      const missing = [xn, yn].filter((n) => !names.includes(n));
      if (missing.length > 0) return `figure ${f.name}: ${missing.join(', ')} not logged`;
      const title = `${f.name}: ${yn} against ${xn}`;
      if (members) {
        const pts = lastPerMember(d.rows, xn, yn);
        const sel = d.manifest.selected;
        const hit = sel !== undefined ? pts.find((p) => p.member === sel) : undefined;
        const highlights = hit !== undefined ? [{ x: hit.x, y: hit.y, label: `selected: member ${hit.member}` }] : [];
        return {
          file,
          title,
          render: () =>
            scatterChart({ title, subtitle: 'last report of each member', xLabel: xn, yLabel: yn, orderLabel: 'member', points: pts.map((p) => ({ x: p.x, y: p.y, order: p.member })), highlights }),
        };
      }
      const pts = d.rows.map((r) => ({ x: valueOf(r, xn), y: valueOf(r, yn), order: r.step }));
      return { file, title, render: () => scatterChart({ title, subtitle: 'one point per report', xLabel: xn, yLabel: yn, orderLabel: 'step', points: pts }) };
    }
    case 'reliability': {
      const rel = d.reliability?.figures?.[f.name] ?? d.reliability;
      if (rel === undefined) return `figure ${f.name}: reliability.json not found`;
      return { file, title: f.name, render: () => reliabilityChart({ title: rel.title ?? f.name, bins: rel.bins, ...(rel.ece !== undefined ? { ece: rel.ece } : {}) }) };
    }
    default:
      return `figure ${f.name}: unknown kind ${f.kind}`;
  }
};

/** Gives each job a distinct file name (a second `x.svg` becomes `x-2.svg`). */
const distinctFiles = (jobs: readonly ChartJob[]): ChartJob[] => {
  const used = new Map<string, number>();
  return jobs.map((j) => {
    const n = (used.get(j.file) ?? 0) + 1;
    used.set(j.file, n);
    return n === 1 ? j : { ...j, file: j.file.replace(/\.svg$/, `-${n}.svg`) };
  });
};

export const planCharts = (d: RunData): Plan => {
  const names = seriesNames(d.rows);
  const members = hasMembers(d.rows);
  const losses = members ? [] : names.filter((n) => (d.manifest.losses ?? []).includes(n));
  const jobs: ChartJob[] = [];
  const notes: string[] = [];
  if (losses.length > 0) jobs.push(seriesJob(d, 'losses.svg', 'Losses', losses, false, 'loss'));
  // A series that a declared lines figure draws beside others (ρ per layer) is read there; a chart
  // of its own per series would only repeat it.
  const inFigures = new Set(
    (d.manifest.figures ?? [])
      .filter((f) => f.kind === 'lines')
      .map((f) => (f.series.length > 0 ? f.series : [f.name]).flatMap((s) => expandSeries(names, s)))
      .filter((resolved) => resolved.length > 1)
      .flat(),
  );
  for (const n of names.filter((n) => !losses.includes(n) && !inFigures.has(n)))
    jobs.push(seriesJob(d, `metric-${safeFileName(n)}.svg`, n, [n], members));
  for (const f of d.manifest.figures ?? []) {
    const j = figureJob(d, f, names, members);
    if (typeof j === 'string') notes.push(j);
    else jobs.push(j);
  }
  const p = d.path;
  if (p !== undefined)
    jobs.push({
      file: 'path.svg',
      title: 'Regularization path',
      render: () =>
        pathChart({
          title: 'Regularization path',
          subtitle: `${p.points.length} penalties; ring: lowest ${p.loss ?? 'validation loss'} on the path`,
          normLabel: normAxisTitle(p.norm),
          lossLabel: p.loss ?? 'validation MSE',
          points: p.points,
          markers: p.markers ?? [],
        }),
    });
  const rel = d.reliability;
  const drawnAsFigure = (d.manifest.figures ?? []).some((f) => f.kind === 'reliability');
  if (rel !== undefined && !drawnAsFigure)
    jobs.push({ file: 'reliability.svg', title: 'Reliability', render: () => reliabilityChart({ title: rel.title ?? 'Reliability', bins: rel.bins, ...(rel.ece !== undefined ? { ece: rel.ece } : {}) }) });
  const sp = d.spline;
  if (sp !== undefined) jobs.push({ file: 'spline.svg', title: 'Fitted curve', render: () => splineChart({ title: 'Fitted curve over the data', data: sp.data, curves: sp.curves }) });
  const co = d.coefficients;
  if (co !== undefined) {
    const title = co.title ?? 'Coefficients';
    jobs.push({
      file: 'coefficients.svg',
      title,
      render: () => coefficientsChart({ title, series: co.series, ...(co.subtitle !== undefined ? { subtitle: co.subtitle } : {}), ...(co.labels !== undefined ? { labels: co.labels } : {}) }),
    });
  }
  return { jobs: distinctFiles(jobs), notes };
};
