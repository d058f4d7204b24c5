import { readFileSync } from 'node:fs';
import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import { compileText } from '../../compiler/compile.js';
import { at, compile, errors, NOISE, RIDGE } from './helpers.js';

const loc = (d: { span: { start: { line: number; column: number } } }) => ({ line: d.span.start.line, column: d.span.start.column });
const errorCodes = (text: string): string[] => errors(compile(text)).map((d) => d.code);

const LASSO = `data d = csv("diabetes.csv", target: "y") |> standardize
split d { train: 0.8, reg: 0.2 } seed 0
param w : Tensor[10] = 0
loss fit = mse(x @ w, y) over train
loss gen = mse(x @ w, y) over reg
update w by sgd(lr: 5e-4, momentum: 0.99) on fit orthogonal to grad(l1(w))
update w by sgd(lr: 0.01) on gen along grad(l1(w))
run 2000 epochs batch 512
`;

const readFile = (p: string): E.Either<string, string> => {
  try {
    return E.right(readFileSync(p, 'utf8'));
  } catch (e) {
    return E.left(String(e));
  }
};

describe('E0502: θ fitted on the regularization split', () => {
  it('a reg rule whose target a train rule also fits: one error, at the loss, pointing at the train rule', () => {
    const text = RIDGE.replace('update rho   by sgd(lr: 0.01) on gen', 'update rho + theta by sgd(lr: 0.01) on gen');
    const es = errors(compile(text));
    expect(es.map((d) => d.code)).toEqual(['E0502']);
    expect(es[0]!.message).toContain("'theta'");
    expect(es[0]!.message).toContain('update1');
    expect(loc(es[0]!)).toEqual(at(text, 'gen from'));
    expect(es[0]!.related?.map((r) => loc(r))).toContainEqual(at(text, 'theta by sgd'));
  });

  it('also when the two rules run in different phases', () => {
    const text = `data d = correlated_features(base: 5, copies: 20, noise: 0.1, n: 300)
split d { train: 0.5, reg: 0.5 } seed 0
param theta : Tensor[100] = 0
loss fit = mse(x @ theta, y) over train
loss gen = mse(x @ theta, y) over reg
phase first for 10 steps {
  update theta by sgd(lr: 0.01) on fit
} then phase second for 10 steps {
  update theta by sgd(lr: 0.01) on gen
}
`;
    const es = errors(compile(text));
    expect(es.map((d) => d.code)).toEqual(['E0502']);
    expect(loc(es[0]!)).toEqual(at(text, 'gen\n'));
    expect(errorCodes(text.replace('on gen\n', 'on gen allow reg\n'))).toEqual([]);
  });

  it('a rule over train and reg, even when its partition is named rho', () => {
    const text = NOISE.replace('update params(net) - noise_scales(net)', 'partition rho = noise_scales(net)\nupdate params(net) - rho').replace(
      'update noise_scales(net)               by adam(lr: 0.1)  on gen',
      'update rho by adam(lr: 0.1) on fit + gen',
    );
    expect(errorCodes(text)).toEqual(['E0502']);
    expect(errorCodes(text.replace('on fit + gen', 'on fit + gen allow reg'))).toEqual([]);
  });

  it('pure ρ rules are the method: ridge, layer-wise noise', () => {
    expect(errorCodes(RIDGE)).toEqual([]);
    expect(errorCodes(NOISE)).toEqual([]);
  });

  it("the LASSO direction pair (same w, orthogonal on train, along on reg) is the paper's method", () => {
    expect(errorCodes(LASSO)).toEqual([]);
    // without the geometry the reg rule fits θ on reg
    const plain = LASSO.replace(' orthogonal to grad(l1(w))', '').replace(' along grad(l1(w))', '');
    expect(errorCodes(plain)).toEqual(['E0502']);
    // both halves along the same direction are not a pair either
    expect(errorCodes(LASSO.replace('orthogonal to grad', 'along grad'))).toContain('E0502');
  });

  it("the SRN's φ rule ranges over reg through a metric and fits only φ", () => {
    const file = 'programs/srn/srn_online.xreg';
    const r = compileText(readFileSync(file, 'utf8'), file, { readFile });
    expect(errors(r)).toEqual([]);
    expect(r.ir!.rules[1]!.splits).toContain('reg');
  });
});

describe('leakage through a geometry direction', () => {
  const base = `data d = correlated_features(base: 5, copies: 20, noise: 0.1, n: 300, seed: 1)
split d { train: 0.5, reg: 0.3, test: 0.2 } seed 0
param w : Tensor[100] = 0
loss fit = mse(x @ w, y) over train
update w by sgd(lr: 0.01) on fit GEOM
run 100 steps
`;
  it("E0501: a direction that ranges over 'test', reported at its `over`", () => {
    const text = base.replace('GEOM', 'orthogonal to grad(mse(x @ w, y) over test)');
    const es = errors(compile(text));
    expect(es.map((d) => d.code)).toEqual(['E0501']);
    expect(es[0]!.message).toContain('gradient');
    expect(loc(es[0]!)).toEqual(at(text, 'mse(x @ w, y) over test'));
  });
  it("E0502: a θ rule moved along a gradient over 'reg'", () => {
    const text = base.replace('GEOM', 'along grad(mse(x @ w, y) over reg)');
    expect(errorCodes(text)).toEqual(['E0502']);
    expect(errorCodes(text.replace('over reg)', 'over reg) allow reg'))).toEqual([]);
  });
  it('a direction without data, or over train, is no leak', () => {
    expect(errorCodes(base.replace('GEOM', 'orthogonal to grad(l1(w))'))).toEqual([]);
    expect(errorCodes(base.replace('GEOM', 'along grad(mse(x @ w, y) over train)'))).toEqual([]);
  });
});

describe('E0501: choosing models by test data', () => {
  const sweep = `data d = correlated_features(base: 5, copies: 2, noise: 0.1, n: 300, seed: 1)
split d { train: 0.5, reg: 0.3, test: 0.2 } seed 0
param w : Tensor[10] = 0
sweep lam in [0.01, 0.1, 1] {
  loss fit = mse(x @ w, y) + lam * l2(w) over train
  update w by sgd(lr: 0.01) on fit
  metric sel = mse(x @ w, y) over test
} select lowest sel
run 40 steps batch 16
`;
  it("a sweep that selects by a metric over 'test', reported at the metric's name in select", () => {
    const es = errors(compile(sweep));
    expect(es.map((d) => d.code)).toEqual(['E0501']);
    expect(es[0]!.message).toContain("selection on 'test'");
    expect(es[0]!.hint).toContain('reg');
    expect(loc(es[0]!)).toEqual(at(sweep, 'sel\n'));
    expect(errorCodes(sweep.replace('over test\n', 'over reg\n'))).toEqual([]);
  });
  const pbt = `data d = correlated_features(base: 5, copies: 2, noise: 0.1, n: 300, seed: 1)
split d { train: 0.5, reg: 0.3, test: 0.2 } seed 0
model net(x) = x |> dense(8) |> noise(init: -2) |> relu |> dense(1)
loss fit = mse(net(x), y) over train
metric sel = mse(deterministic net(x), y) over test
population 4 {
  freeze noise_scales(net)
  update params(net) - noise_scales(net) by adam(lr: 1e-3) on fit
}
every 10 steps: exploit truncation(0.25) by highest sel, explore perturb(0.8, 1.2)
run 40 steps batch 16
`;
  it("a population that exploits by a metric over 'test'", () => {
    const es = errors(compile(pbt));
    expect(es.map((d) => d.code)).toEqual(['E0501']);
    expect(loc(es[0]!)).toEqual(at(pbt, 'sel,'));
    expect(errorCodes(pbt.replace('over test\n', 'over reg\n'))).toEqual([]);
    expect(errorCodes(pbt.replace('by sel,', 'by sel over test,'))).toContain('E0501');
  });
});
