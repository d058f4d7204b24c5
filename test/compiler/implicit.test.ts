/**
 * `update rho by ... on gen through fit`: the gradient is the total derivative of gen through the
 * minimizer of fit (implicit function theorem, solved by conjugate gradients on Hessian-vector
 * products). Checked against central finite differences of gen(w*(ρ)) with w*(ρ) in closed form
 * (float64), where the partial derivative ∂gen/∂ρ is 0; and the compiler's refusals.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as E from 'fp-ts/lib/Either.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { lowerProgram } from '../../compiler/lower/index.js';
import type { Batches, RunState } from '../../compiler/lower/types.js';
import { standardLibrary } from '../../stdlib/registry.js';
import { gram, mse, problem, solveSPD, xtv } from '../../stdlib/baselines/index.js';
import { LowerCodes } from '../../compiler/lower/codes.js';
import { neumannSolve, solveHessian } from '../../compiler/lower/implicit.js';
import { expectAllClose } from '../helpers/finite-diff.js';
import { numbers } from './lower-ir.js';
import { irOf, lowerText } from './lower-text.js';
import { compile, errors } from './helpers.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const d = 3;
const head = `data d = correlated_features(base: ${d}, copies: 1, noise: 0.1, n: 40, seed: 1)
split d { train: 1/2, reg: 1/4, test: 1/4 } seed 0
param w : Tensor[${d}] = 0
param log_lam : Scalar = -1
loss fit = mse(x @ w, y) + exp(log_lam) * l2(w) over train
loss gen = mse(x @ w, y) over reg
update w by sgd(lr: 0.1) on fit
`;

const codes = (text: string): string[] => errors(compile(text)).map((x) => x.code);

describe('through: the implicit gradient', () => {
  it('equals the finite-difference derivative of gen(w*(ρ)) in ρ (the partial derivative is 0)', () => {
    const text = `${head}update log_lam by sgd(lr: 1) on gen through fit\n`;
    expect(irOf(text).rules[1]?.implicit?.inner).toEqual(['w']);
    const low = lowerText(text);
    const nt = 14;
    const nr = 11;
    const xt = numbers(nt * d, 1);
    const yt = numbers(nt, 2);
    const xr = numbers(nr * d, 3);
    const yr = numbers(nr, 4).map((v, i) => v + (xr[i * d] ?? 0));
    const train = problem(xt, yt, d);
    const reg = problem(xr, yr, d);
    // w*(ρ): (XᵀX/n + e^ρ I) w = Xᵀy/n, the minimizer of mse + e^ρ‖w‖²
    const wStar = (rho: number): Float64Array => {
      const a = gram(train).map((v, k) => v / nt + (k % (d + 1) === 0 ? Math.exp(rho) : 0));
      const sol = solveSPD(a, xtv(train, train.y).map((v) => v / nt), d);
      if (sol === undefined) throw new Error('singular');
      return sol;
    };
    const batches: Batches = {
      'd.train': { x: tf.tensor(Float32Array.from(xt), [nt, d]), y: tf.tensor(Float32Array.from(yt), [nt]) },
      'd.reg': { x: tf.tensor(Float32Array.from(xr), [nr, d]), y: tf.tensor(Float32Array.from(yr), [nr]) },
    };
    for (const rho of [-2, -0.5, 1]) {
      const h = 1e-4;
      const fd = (mse(reg, wStar(rho + h)) - mse(reg, wStar(rho - h))) / (2 * h);
      const s0 = low.init(0);
      const state: RunState = { ...s0, params: { w: tf.tensor(Float32Array.from(wStar(rho))), log_lam: tf.scalar(rho) } };
      const s1 = low.rules[1]?.step(state, batches, 0);
      const g = rho - (s1?.params['log_lam']?.dataSync()[0] ?? Number.NaN);
      expect(Math.abs(fd)).toBeGreaterThan(1e-3);
      expect(Math.abs(g - fd) / Math.abs(fd)).toBeLessThan(2e-3);
    }
  });

  it('makes ρ live: without it log_lam has no path to gen (E0503)', () => {
    expect(codes(`${head}update log_lam by sgd(lr: 1) on gen\n`)).toEqual(['E0503']);
    expect(codes(`${head}update log_lam by sgd(lr: 1) on gen through fit\n`)).toEqual([]);
  });

  it('refuses what it cannot mean (E0515)', () => {
    const rho = 'update log_lam by sgd(lr: 1) on';
    // not a loss; a loss no rule fits on; beside a geometry; through its own loss; twice
    expect(codes(`${head}metric acc = mse(x @ w, y) over reg\n${rho} gen through acc\n`)).toContain('E0515');
    expect(codes(`${head}loss other = l2(w) over train\n${rho} gen through other\n`)).toContain('E0515');
    expect(codes(`${head}${rho} gen through fit along grad(l2(log_lam))\n`)).toContain('E0515');
    expect(codes(`${head}${rho} fit through fit\n`)).toContain('E0515');
    expect(codes(`${head}${rho} gen through fit through fit\n`)).toContain('E0515');
    // θ fitted with a geometry does not minimize fit; θ on the sphere is constrained
    const shaped = head.replace('update w by sgd(lr: 0.1) on fit', 'update w by sgd(lr: 0.1) on fit orthogonal to grad(l2(w))');
    expect(codes(`${shaped}${rho} gen through fit\n`)).toContain('E0515');
    const sphere = head.replace('param w : Tensor[3] = 0', 'param w : Tensor[3] ~ normal(0, 1) on sphere');
    expect(codes(`${sphere}${rho} gen through fit\n`)).toContain('E0515');
  });

  it('takes θ only from rules in the same phase', () => {
    const phased = (inner: string): string => `data d = correlated_features(base: 3, copies: 1, noise: 0.1, n: 40, seed: 1)
split d { train: 1/2, reg: 1/4, test: 1/4 } seed 0
param w : Tensor[3] = 0
param log_lam : Scalar = -1
loss fit = mse(x @ w, y) + exp(log_lam) * l2(w) over train
loss gen = mse(x @ w, y) over reg
phase a for 10 steps {
  update w by sgd(lr: 0.1) on fit
} then phase b for 10 steps {
  ${inner}update log_lam by sgd(lr: 1) on gen through fit
}
run 20 steps
`;
    expect(codes(phased(''))).toContain('E0515');
    expect(codes(phased('update w by sgd(lr: 0.1) on fit\n  '))).toEqual([]);
  });

  it('is refused at lowering beside an ensemble (its parameters are renamed per member)', () => {
    const ir = irOf(`${head.replace('update w by sgd(lr: 0.1) on fit\n', 'ensemble 2 as avg {\n  update w by sgd(lr: 0.1) on fit\n}\n')}update log_lam by sgd(lr: 1) on gen through fit\n`);
    const low = lowerProgram(ir, standardLibrary);
    expect(E.isLeft(low) ? low.left.map((x) => x.code) : []).toEqual([LowerCodes.unsupported]);
  });
});

describe('the Hessian solve', () => {
  const v = (xs: number[]): tf.Tensor => tf.tensor(xs);
  it('solves an ill-conditioned positive-definite H (condition 1e4) to a small residual, undamped', () => {
    const d = [1, 10, 100, 1000, 1e4, 3, 30, 300];
    const th = v(new Array<number>(d.length).fill(0.5));
    const inner = (): tf.Tensor => tf.mul(0.5, tf.sum(tf.mul(v(d), tf.square(th))));
    const b = v(d.map((_, i) => 1 + i));
    const s = solveHessian(inner, [th], [b]);
    expect(s.damping).toBe(0);
    expect(s.residual).toBeLessThan(1e-4);
    expectAllClose(Array.from(s.v[0]?.dataSync() ?? []), d.map((di, i) => (1 + i) / di), 1e-3, 1e-6);
  });

  it('damps instead of truncating where H is indefinite', () => {
    const th = v([0.3, -0.2]);
    const inner = (): tf.Tensor => tf.mul(0.5, tf.sum(tf.mul(v([1, -1]), tf.square(th))));
    const s = solveHessian(inner, [th], [v([1, 1])]);
    expect(s.damping).toBeGreaterThan(0);
    // (H + μI) v = b exactly for the μ it chose
    const x = Array.from(s.v[0]?.dataSync() ?? []);
    expectAllClose(x, [1 / (1 + s.damping), 1 / (s.damping - 1)], 1e-3, 1e-6);
    expect(s.residual).toBeLessThan(1e-4);
  });

  it('Neumann series: K terms of (I − αH)^j αb converge to H⁻¹b for α < 2/λmax; the residual is measured', () => {
    const d = [1, 2, 4];
    const th = v([0.1, 0.2, 0.3]);
    const inner = (): tf.Tensor => tf.mul(0.5, tf.sum(tf.mul(v(d), tf.square(th))));
    const b = v([1, 1, 1]);
    // α = 0.2: the slowest factor is 1 − 0.2·1 = 0.8, so 80 terms leave 0.8^80 ≈ 2e-8
    const s = neumannSolve(inner, [th], [b], [0.2], { iterations: 80 });
    expectAllClose(Array.from(s.v[0]?.dataSync() ?? []), d.map((di) => 1 / di), 1e-4, 1e-6);
    expect(s.residual).toBeLessThan(1e-4);
    // 3 terms: a truncated series, and a residual that says so
    const short = neumannSolve(inner, [th], [b], [0.2], { iterations: 3 });
    expect(short.residual).toBeGreaterThan(0.1);
    // damping μ solves (H + μI)
    const damped = neumannSolve(inner, [th], [b], [0.2], { iterations: 200, damping: 1 });
    expectAllClose(Array.from(damped.v[0]?.dataSync() ?? []), d.map((di) => 1 / (di + 1)), 1e-4, 1e-6);
  });

  it('CG honours iterations, tolerance and damping', () => {
    const d = [1, 10, 100, 1000];
    const th = v([0.5, 0.5, 0.5, 0.5]);
    const inner = (): tf.Tensor => tf.mul(0.5, tf.sum(tf.mul(v(d), tf.square(th))));
    const b = v([1, 2, 3, 4]);
    expect(solveHessian(inner, [th], [b], { iterations: 1 }).residual).toBeGreaterThan(0.01);
    expect(solveHessian(inner, [th], [b], { tolerance: 1e-6 }).residual).toBeLessThan(1e-5);
    const damped = solveHessian(inner, [th], [b], { damping: 5 });
    expect(damped.damping).toBe(5);
    expectAllClose(Array.from(damped.v[0]?.dataSync() ?? []), d.map((di, i) => (1 + i) / (di + 5)), 1e-3, 1e-6);
  });

  it('through fit(solver: "neumann") moves ρ like the CG solve where both converge', () => {
    const step = (clause: string): number => {
      const low = lowerText(`${head}update log_lam by sgd(lr: 1) on gen ${clause}\n`);
      const s0 = low.init(0);
      const batches: Batches = {
        'd.train': { x: tf.tensor(Float32Array.from(numbers(30, 1)), [10, 3]), y: tf.tensor(Float32Array.from(numbers(10, 2))) },
        'd.reg': { x: tf.tensor(Float32Array.from(numbers(30, 3)), [10, 3]), y: tf.tensor(Float32Array.from(numbers(10, 4))) },
      };
      const state: RunState = { ...s0, params: { w: tf.tensor([0.3, -0.2, 0.5]), log_lam: tf.scalar(-1) } };
      return -1 - (low.rules[1]?.step(state, batches, 0).params['log_lam']?.dataSync()[0] ?? Number.NaN);
    };
    const cg = step('through fit');
    expect(Math.abs(cg)).toBeGreaterThan(1e-4);
    expect(step('through fit(solver: "neumann", iterations: 400, scale: 0.2)')).toBeCloseTo(cg, 4);
  });
});
