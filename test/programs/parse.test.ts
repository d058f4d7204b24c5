/**
 * Every shipped program must be read by the parser without a single diagnostic: the programs are
 * the language's reference material, so a parse problem here is either a grammar regression or a
 * program that no longer matches the grammar.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseProgram } from '../../dsl/parse.js';
import type { Diagnostic } from '../../dsl/diagnostic.js';

const root = join(import.meta.dirname, '..', '..');
const programsDir = join(root, 'programs');

const xregFiles = (dir: string): string[] =>
  readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const p = join(dir, name);
      if (statSync(p).isDirectory()) return xregFiles(p);
      return name.endsWith('.xreg') ? [p] : [];
    });

const show = (ds: readonly Diagnostic[]): string[] =>
  ds.map((d) => `${d.span.file}:${d.span.start.line}:${d.span.start.column} ${d.code} ${d.message}`);

const files = xregFiles(programsDir);

describe('programs/**/*.xreg', () => {
  it('finds the programs the brief asks for', () => {
    const names = files.map((f) => relative(programsDir, f));
    for (const expected of [
      'crossreg/ridge.xreg',
      'crossreg/ridge_path.xreg',
      'crossreg/lasso.xreg',
      'crossreg/lasso_path.xreg',
      'crossreg/spline.xreg',
      'crossreg/spline_cv.xreg',
      'noise/crossreg_noise.xreg',
      'noise/fixed_noise.xreg',
      'noise/pbt.xreg',
      'noise/growing_data.xreg',
      'noise/augment.xreg',
      'calibration/temperature.xreg',
      'calibration/ensemble.xreg',
      'baselines/weight_decay.xreg',
      'baselines/dropout.xreg',
      'baselines/label_smoothing.xreg',
      'baselines/mixup.xreg',
      'srn/srn_online.xreg',
      'srn/srn_two_phase.xreg',
      'lib/blocks.xreg',
    ]) {
      expect(names).toContain(expected);
    }
  });

  it.each(files.map((f) => [relative(root, f), f] as const))('%s parses with no diagnostics', (name, file) => {
    const { program, diagnostics } = parseProgram(readFileSync(file, 'utf8'), name);
    expect(show(diagnostics)).toEqual([]);
    expect(program.decls.length).toBeGreaterThan(0);
  });
});
