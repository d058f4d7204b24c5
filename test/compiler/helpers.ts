import * as E from 'fp-ts/lib/Either.js';
import { compileText, type CompileResult } from '../../compiler/compile.js';
import type { Diagnostic } from '../../dsl/diagnostic.js';

/** Compiles `text` as `main.xreg`, with other files served from `files` (no disk, no data). */
export const compile = (
  text: string,
  files: Record<string, string> = {},
  overrides: Record<string, number | string | boolean> = {},
): CompileResult =>
  compileText(text, 'main.xreg', {
    readFile: (p) => (files[p] !== undefined ? E.right(files[p]) : E.left('no such file')),
    overrides,
  });

export const errors = (r: CompileResult): Diagnostic[] => r.diagnostics.filter((d) => d.severity === 'error');
export const codes = (r: CompileResult): string[] => r.diagnostics.map((d) => d.code);

/** Line and column (1-based) of the first occurrence of `needle` in `text`. */
export const at = (text: string, needle: string, nth = 0): { line: number; column: number } => {
  let i = -1;
  for (let k = 0; k <= nth; k++) i = text.indexOf(needle, i + 1);
  if (i < 0) throw new Error(`'${needle}' not in text`);
  const before = text.slice(0, i).split('\n');
  return { line: before.length, column: (before[before.length - 1] ?? '').length + 1 };
};

export const RIDGE = `data d = correlated_features(base: 5, copies: 20, noise: 0.1, n: 300)
split d { train: 1/3, reg: 1/3, test: 1/3 } seed 0
param theta : Tensor[100] ~ normal(0, 1) on sphere
param rho   : Scalar = 1
fn predict(x) = rho * (x @ theta)
loss fit = mse(predict(x), y) over train
loss gen = mse(predict(x), y) over reg
update theta by sgd(lr: 0.01) on fit
update rho   by sgd(lr: 0.01) on gen from step 3000
run 6000 steps
report every 100: rho, fit, gen, test_mse = mse(predict(x), y) over test
`;

export const NOISE = `data d = fashion_mnist()
split d { train: 0.8, reg: 0.1, test: 0.1 } seed 0
layer block(n) = dense(n) |> layer_norm(affine: false) |> noise(init: -3) |> relu
model net(x) = x |> flatten |> block(32) |> block(32) |> block(32) |> dense(10)
loss fit = cross_entropy(net(x), y) over train batch 512
loss gen = nll(mean[3] softmax(net(x)), y) over reg batch 512
update params(net) - noise_scales(net) by adam(lr: 1e-4) on fit
update noise_scales(net)               by adam(lr: 0.1)  on gen every 30 steps
metric acc = accuracy(deterministic net(x), y) over test
run 10 epochs
`;
