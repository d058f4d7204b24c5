/** The manifest's `figures`: what `xreg plot` needs to draw each declared figure from metrics.jsonl. */
import type { LoweredFigure } from '../../compiler/lower/types.js';
import type { Manifest } from './manifest.js';

/** Name, kind and the logged series of each figure (parameter series by their lowered names). */
export const manifestFigures = (figures: readonly LoweredFigure[]): NonNullable<Manifest['figures']> =>
  figures.map((f) => ({ name: f.name, kind: f.kind, series: [...f.series] }));

/** Every reason a figure (or part of one) will not be drawn, one line each. */
export const figureNotes = (figures: readonly LoweredFigure[]): string[] => figures.flatMap((f) => f.notes);
