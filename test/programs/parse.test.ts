/**
 * Every shipped program must be read by the parser without a single diagnostic: the programs are
 * the language's reference material, so a parse problem here is either a grammar regression or a
 * program that no longer matches the grammar. Every program must also compile without
 * errors: the compiler checks names, shapes, partitions, leakage and schedules without data.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as E from 'fp-ts/lib/Either.js';
import { parseProgram } from '../../dsl/parse.js';
import { compileText } from '../../compiler/compile.js';
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

const readFile = (p: string): E.Either<string, string> => {
  try {
    return E.right(readFileSync(join(root, p), 'utf8'));
  } catch (e) {
    return E.left(String(e));
  }
};

describe('programs/**/*.xreg compile', () => {
  it.each(files.map((f) => [relative(root, f)] as const))('%s compiles with no errors', (name) => {
    const { ir, diagnostics } = compileText(readFileSync(join(root, name), 'utf8'), name, { readFile });
    expect(show(diagnostics.filter((d) => d.severity === 'error'))).toEqual([]);
    expect(ir).toBeDefined();
  });

  it('every imported library resolves (the noise programs share programs/lib/blocks.xreg)', () => {
    const importers = files.filter((f) => readFileSync(f, 'utf8').includes('import "../lib/blocks.xreg"'));
    expect(importers.length).toBeGreaterThanOrEqual(2);
    for (const f of importers) {
      const name = relative(root, f);
      const { diagnostics } = compileText(readFileSync(f, 'utf8'), name, { readFile });
      expect(diagnostics.filter((d) => d.code === 'E0207' || d.code === 'E0208')).toEqual([]);
    }
  });
});

/** The programs mean what their headers say: the rules, partitions and schedules of the papers. */
describe('programs compile to the papers’ rules', () => {
  const irOf = (name: string) => {
    const r = compileText(readFileSync(join(root, name), 'utf8'), name, { readFile });
    if (r.ir === undefined) throw new Error(`${name} did not compile: ${show(r.diagnostics).join('; ')}`);
    return r.ir;
  };

  it('ridge: θ on the sphere every step, ρ from step 3000 on the reg split, 6000 steps', () => {
    const ir = irOf('programs/crossreg/ridge.xreg');
    expect(ir.run.length).toEqual({ n: 6000, unit: 'steps' });
    expect(ir.params.find((p) => p.path === 'theta')?.onSphere).toBe(true);
    const [th, rho] = ir.rules;
    expect(th?.targets).toEqual(['theta']);
    expect(th?.splits).toEqual(['train']);
    expect(rho?.targets).toEqual(['rho']);
    expect(rho?.splits).toEqual(['reg']);
    expect(rho?.schedule.from).toEqual({ n: 3000, unit: 'steps' });
  });

  it('lasso: the same w, training orthogonal to and reg along grad(l1(w))', () => {
    const ir = irOf('programs/crossreg/lasso.xreg');
    expect(ir.rules.map((r) => [r.targets, r.geometry.kind, r.splits])).toEqual([
      [['w'], 'orthogonal', ['train']],
      [['w'], 'along', ['reg']],
    ]);
    expect(ir.run).toEqual({ length: { n: 2000, unit: 'epochs' }, batch: 512 });
  });

  it('noise: the reg rule updates exactly the noise scales, every 30 steps', () => {
    const ir = irOf('programs/noise/crossreg_noise.xreg');
    const [fit, gen] = ir.rules;
    const sigmas = ir.params.filter((p) => p.role === 'noise_scale').map((p) => p.path);
    expect(sigmas).toHaveLength(3);
    expect([...(gen?.targets ?? [])].sort()).toEqual([...sigmas].sort());
    expect(gen?.schedule.every).toEqual({ n: 30, unit: 'steps' });
    expect(fit?.targets.some((t) => sigmas.includes(t))).toBe(false);
  });

  it('sweeps select by the reg metric over the requested grids', () => {
    const ridge = irOf('programs/crossreg/ridge_path.xreg').sweep;
    expect(ridge?.members).toHaveLength(1000);
    expect(ridge?.members[0]?.['lam']).toBeCloseTo(1e-3, 12);
    expect(ridge?.members[999]?.['lam']).toBeCloseTo(10, 9);
    expect(ridge?.select).toEqual({ direction: 'lowest', metric: 'gen' });
    const lasso = irOf('programs/crossreg/lasso_path.xreg').sweep;
    expect(lasso?.members).toHaveLength(50);
    expect(lasso?.members[0]?.['lam']).toBeCloseTo(10 ** -2.5, 12);
  });

  it('SRN two-phase: φ is trained only in the meta phase, the fresh classifier only after it', () => {
    const ir = irOf('programs/srn/srn_two_phase.xreg');
    expect(ir.phases.map((p) => p.name)).toEqual(['meta', 'train']);
    const targets = ir.phases.map((p) => p.rules.flatMap((r) => r.targets));
    expect(targets[0]?.some((t) => t.startsWith('srn.'))).toBe(true);
    expect(targets[1]?.every((t) => t.startsWith('net.'))).toBe(true);
  });

  it('growing data: train grows from 20% until epoch 100', () => {
    const ir = irOf('programs/noise/growing_data.xreg');
    expect(ir.data[0]?.splits.find((s) => s.name === 'train')?.grow).toEqual({ from: 0.2, untilEpoch: 100 });
  });
});
