/** `xreg plot`: read a run directory, draw its charts, write them and an index page. */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { makeFolder } from '../folder/make.js';
import * as E from 'fp-ts/lib/Either.js';
import type * as t from 'io-ts';
import { decodeJsonLines, decodeJsonText } from './decode.js';
import { isEventLine } from '../results/metrics.js';
import {
  MANIFEST_FILE,
  METRICS_FILE,
  ManifestPlotView,
  MetricsRow,
  PATH_FILE,
  PathFile,
  REFERENCES_FILE,
  RELIABILITY_FILE,
  ReferencesFile,
  ReliabilityFile,
  SPLINE_FILE,
  COEFFICIENTS_FILE,
  CoefficientsFile,
  SplineFile,
} from './formats.js';
import { indexHtml } from './index-html.js';
import { planCharts, type RunData } from './plan.js';


export const FIGURES_DIR = 'figures';
export const INDEX_FILE = 'index.html';

export interface PlotResult {
  /** Paths written, the index page last. */
  readonly files: readonly string[];
  readonly notes: readonly string[];
}

const readIfExists = async (file: string): Promise<string | undefined> => {
  try {
    return await fs.readFile(file, 'utf8');
  } catch (err) {
    if (err instanceof Error && 'code' in err && err.code === 'ENOENT') return undefined;
    throw err;
  }
};

const readOptional = async <A>(dir: string, name: string, codec: t.Decoder<unknown, A>): Promise<E.Either<string, A | undefined>> => {
  const text = await readIfExists(path.join(dir, name));
  return text === undefined ? E.right(undefined) : decodeJsonText(name, text, codec);
};

/** Reads and decodes every file the charts draw on; the first problem is the error. */
export const readRunData = async (dir: string): Promise<E.Either<string, RunData>> => {
  const metricsText = await readIfExists(path.join(dir, METRICS_FILE));
  // Exploit events are not reports: blanked, so that line numbers in messages stay the file's.
  const reportsText = metricsText?.split('\n').map((l) => (isEventLine(l) ? '' : l)).join('\n');
  const rows = reportsText === undefined ? E.right([]) : decodeJsonLines(METRICS_FILE, reportsText, MetricsRow);
  if (E.isLeft(rows)) return rows;
  const manifest = await readOptional(dir, MANIFEST_FILE, ManifestPlotView);
  if (E.isLeft(manifest)) return manifest;
  const pathFile = await readOptional(dir, PATH_FILE, PathFile);
  if (E.isLeft(pathFile)) return pathFile;
  const reliability = await readOptional(dir, RELIABILITY_FILE, ReliabilityFile);
  if (E.isLeft(reliability)) return reliability;
  const spline = await readOptional(dir, SPLINE_FILE, SplineFile);
  if (E.isLeft(spline)) return spline;
  const references = await readOptional(dir, REFERENCES_FILE, ReferencesFile);
  if (E.isLeft(references)) return references;
  const coefficients = await readOptional(dir, COEFFICIENTS_FILE, CoefficientsFile);
  if (E.isLeft(coefficients)) return coefficients;
  const extras = [pathFile.right, reliability.right, spline.right, coefficients.right];
  if (metricsText === undefined && extras.every((x) => x === undefined))
    return E.left(`${path.join(dir, METRICS_FILE)} not found: is ${dir} a run directory?`);
  return E.right({
    rows: rows.right,
    manifest: manifest.right ?? {},
    ...(pathFile.right !== undefined ? { path: pathFile.right } : {}),
    ...(reliability.right !== undefined ? { reliability: reliability.right } : {}),
    ...(spline.right !== undefined ? { spline: spline.right } : {}),
    ...(references.right !== undefined ? { references: references.right } : {}),
    ...(coefficients.right !== undefined ? { coefficients: coefficients.right } : {}),
  });
};

/** Draws the charts of run directory `dir` into `out` (default `dir/figures`). */
export const plotRun = async (dir: string, out?: string): Promise<E.Either<string, PlotResult>> => {
  const stat = await fs.stat(dir).catch(() => undefined);
  if (stat === undefined || !stat.isDirectory()) return E.left(`${dir}: not a directory`);
  const data = await readRunData(dir);
  if (E.isLeft(data)) return data;
  const plan = planCharts(data.right);
  const target = out ?? path.join(dir, FIGURES_DIR);
  const made = await makeFolder(target);
  if (E.isLeft(made)) return made;
  const figures: { file: string; title: string; svg: string }[] = [];
  // One at a time: rendering is CPU work and the machine is shared.
  for (const job of plan.jobs) {
    const svg = await job.render();
    await fs.writeFile(path.join(target, job.file), svg);
    figures.push({ file: job.file, title: job.title, svg });
  }
  const index = path.join(target, INDEX_FILE);
  const manifestProgram = data.right.manifest.program?.path;
  await fs.writeFile(index, indexHtml(`xreg figures: ${manifestProgram ?? path.basename(path.resolve(dir))}`, figures, plan.notes));
  return E.right({ files: [...figures.map((f) => path.join(target, f.file)), index], notes: plan.notes });
};
