import { describe, expect, it } from 'vitest';
import { at, codes, compile, errors, NOISE, RIDGE } from './helpers.js';

const loc = (d: { span: { start: { line: number; column: number } } }) => ({ line: d.span.start.line, column: d.span.start.column });

const firstOf = (text: string, code: string) => compile(text).diagnostics.find((d) => d.code === code);

describe('checks: each fires on the wrong program and not on the right one', () => {
  it('E0501 an update on test data', () => {
    const text = RIDGE.replace('update rho   by sgd(lr: 0.01) on gen', 'update rho   by sgd(lr: 0.01) on mse(predict(x), y) over test');
    const d = firstOf(text, 'E0501')!;
    expect(loc(d)).toEqual(at(text, 'mse(predict(x), y) over test'));
    expect(codes(compile(RIDGE))).not.toContain('E0501');
  });

  it('E0502 a θ rule on the regularization split, unless allowed', () => {
    const text = RIDGE.replace('update theta by sgd(lr: 0.01) on fit', 'update theta by sgd(lr: 0.01) on fit + gen');
    const d = firstOf(text, 'E0502')!;
    expect(loc(d)).toEqual(at(text, 'fit + gen'));
    expect(codes(compile(text.replace('on fit + gen', 'on fit + gen allow reg')))).not.toContain('E0502');
  });

  it('E0503 noise scales under a deterministic validation loss are dead', () => {
    const text = NOISE.replace('nll(mean[3] softmax(net(x)), y)', 'nll(softmax(deterministic net(x)), y)');
    const d = firstOf(text, 'E0503')!;
    expect(d.message).toContain('net.block1.noise.log_sigma');
    expect(loc(d)).toEqual(at(text, 'gen every'));
    expect(codes(compile(NOISE))).not.toContain('E0503');
  });

  it('E0503 a non-differentiable metric function cuts the path', () => {
    const text = NOISE.replace('nll(mean[3] softmax(net(x)), y)', 'accuracy(net(x), y)');
    expect(firstOf(text, 'E0503')).toBeDefined();
  });

  it('E0504 a rule that starts after the run ends', () => {
    const text = RIDGE.replace('from step 3000', 'from step 7000');
    const d = firstOf(text, 'E0504')!;
    expect(loc(d)).toEqual(at(text, 'from step 7000'));
  });

  it('E0504 is not given to an every longer than the run: the rule fires once, at its start', () => {
    const text = RIDGE.replace('from step 3000', 'every 7000 steps');
    expect(codes(compile(text))).not.toContain('E0504');
    expect(compile(text).ir).toBeDefined();
    expect(codes(compile(RIDGE.replace('from step 3000', 'every 7000 steps from step 5999')))).not.toContain('E0504');
    expect(codes(compile(RIDGE.replace('from step 3000', 'every 7000 steps from step 6000')))).toContain('E0504');
  });

  it('E0505 until before from, E0506 every 0, W0507 until after the end', () => {
    expect(codes(compile(RIDGE.replace('from step 3000', 'from step 3000 until step 2000')))).toContain('E0505');
    expect(codes(compile(RIDGE.replace('from step 3000', 'every 0 steps')))).toContain('E0506');
    const w = compile(RIDGE.replace('from step 3000', 'until step 9000'));
    expect(codes(w)).toContain('W0507');
    expect(w.ir).toBeDefined();
  });

  it('E0509 a split used in a phase before the phase that declares it', () => {
    const text = `data d = correlated_features(base: 5, copies: 20, noise: 0.1, n: 300)
split d { train: 0.5 }
param theta : Tensor[100] = 0
param rho : Scalar = 1
loss fit = mse(rho * (x @ theta), y) over train
loss gen = mse(rho * (x @ theta), y) over reg
phase first for 10 steps {
  update theta by sgd(lr: 0.01) on fit
  update rho by sgd(lr: 0.01) on gen
} then phase second for 10 steps {
  split d { reg: 0.5 }
  update theta by sgd(lr: 0.01) on fit
}
`;
    const d = firstOf(text, 'E0509')!;
    expect(loc(d)).toEqual(at(text, 'gen\n'));
    expect(codes(compile(text))).not.toContain('E0401');
  });

  it('E0510 a metric used as the loss of an update', () => {
    const text = NOISE.replace('on gen every 30 steps', 'on acc every 30 steps');
    const d = firstOf(text, 'E0510')!;
    expect(loc(d)).toEqual(at(text, 'acc every'));
  });
});

describe('partitions', () => {
  it('E0401 a parameter updated by two rules', () => {
    const text = RIDGE.replace('update theta by sgd(lr: 0.01) on fit', 'update theta by sgd(lr: 0.01) on fit\nupdate rho + theta by adam(lr: 0.01) on fit');
    const d = firstOf(text, 'E0401')!;
    expect(d.message).toContain("'theta'");
    expect(loc(d)).toEqual(at(text, 'rho + theta'));
  });

  it('E0402 a parameter in no partition, unless frozen', () => {
    const text = RIDGE.replace(/^update rho.*$/m, '');
    const d = firstOf(text, 'E0402')!;
    expect(loc(d)).toEqual(at(text, 'rho   :'));
    expect(codes(compile(text.replace('param rho   : Scalar = 1', 'param rho   : Scalar = 1 frozen')))).not.toContain('E0402');
    expect(codes(compile(`${text}freeze rho\n`))).not.toContain('E0402');
  });

  it('selectors: difference by role, a partition name', () => {
    const r = compile(NOISE.replace('update params(net) - noise_scales(net)', 'partition feats = params(net) - noise_scales(net)\nupdate feats'));
    expect(errors(r)).toEqual([]);
    expect(r.ir!.partitions['feats']).toHaveLength(4 * 2);
  });
});

describe('phases against the run (E0513, W0514)', () => {
  const prog = (a: string, b: string, run: string) => `data d = correlated_features(base: 5, copies: 2, noise: 0.1, n: 300, seed: 1)
split d { train: 0.5, reg: 0.3, test: 0.2 } seed 0
param w : Tensor[10] = 0
param t : Scalar = 1
loss fit = mse(x @ w, y) over train
loss cal = mse(t * (x @ w), y) over reg
phase a${a} {
  update w by sgd(lr: 0.01) on fit
} then phase b${b} {
  update t by sgd(lr: 0.01) on cal
}
run ${run} batch 16
`;
  const diag = (text: string, code: string) => compile(text).diagnostics.filter((d) => d.code === code);
  it('a phase without a length before another: the later one never runs', () => {
    const text = prog('', ' for 10 steps', '40 steps');
    const ds = diag(text, 'E0513');
    expect(ds).toHaveLength(1);
    expect(ds[0]!.message).toContain("'b'");
    expect(ds[0]!.span.start.line).toBe(7);
    expect(diag(prog(' for 30 steps', '', '40 steps'), 'E0513')).toEqual([]);
  });
  it('phases longer than the run: the error names the phase that never runs', () => {
    const ds = diag(prog(' for 50 steps', ' for 10 steps', '40 steps'), 'E0513');
    expect(ds).toHaveLength(1);
    expect(ds[0]!.message).toContain("phase 'b' never runs");
    expect(ds[0]!.span.start.line).toBe(9);
    expect(diag(prog(' for 40 steps', ' for 10 steps', '40 steps'), 'E0513')).toHaveLength(1);
    expect(diag(prog(' for 39 steps', ' for 10 steps', '40 steps'), 'E0513')).toEqual([]);
    // different units are not compared
    expect(diag(prog(' for 50 epochs', ' for 10 steps', '40 steps'), 'E0513')).toEqual([]);
  });
  it('phases that all have lengths and add up to less than the run: a warning at the last', () => {
    const text = prog(' for 10 steps', ' for 10 steps', '40 steps');
    const ds = diag(text, 'W0514');
    expect(ds.map((d) => d.severity)).toEqual(['warning']);
    expect(ds[0]!.message).toContain('30 steps in all');
    expect(errors(compile(text))).toEqual([]);
    expect(diag(prog(' for 10 steps', ' for 30 steps', '40 steps'), 'W0514')).toEqual([]);
    expect(diag(prog(' for 10 steps', '', '40 steps'), 'W0514')).toEqual([]);
  });
});
