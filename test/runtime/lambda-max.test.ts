/**
 * `lambda_max(...)` as a program reports it, against computations that share nothing with it but
 * the data: on least squares the closed form 2·λ_max(XᵀX)/n, and on a small classifier power
 * iteration over central differences of gradients of the same loss written out by hand, at the
 * parameters the run had when it logged the value.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import { compileText } from '../../compiler/compile.js';
import { prepareData } from '../../runtime/exec/data.js';
import { largestHessianEigenvalue, type Objective } from '../../stdlib/curvature/hessian.js';
import { standardLibrary } from '../../stdlib/registry.js';
import { func } from '../stdlib/helpers/setup.js';
import { go, workspace } from '../helpers/run-program.js';

const logged = (out: string, name: string): { step: number; value: number }[] =>
  readFileSync(path.join(out, 'metrics.jsonl'), 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as Record<string, number>)
    .filter((r) => typeof r[name] === 'number')
    .map((r) => ({ step: r['step'] ?? -1, value: r[name] ?? Number.NaN }));

describe('lambda_max in a program', () => {
  it('least squares: the Hessian of mean (x·w − y)² is 2XᵀX/n, whose spectrum the data fixes', async () => {
    // X = [diag(a) Q; diag(b) Q] with Q orthogonal: XᵀX = Qᵀ diag(a² + b²) Q, eigenvalues a² + b²
    const a = [3, 2, 1, 0.5];
    const b = [4, 1, 1, 0.5];
    const c = Math.SQRT1_2;
    const q = [
      [c, c, 0, 0],
      [-c, c, 0, 0],
      [0, 0, c, c],
      [0, 0, -c, c],
    ];
    const rows = [a, b].flatMap((s) => q.map((qr, i) => qr.map((v) => (s[i] ?? 0) * v)));
    const csv = ['x1,x2,x3,x4,y', ...rows.map((r, i) => [...r, Math.sin(i)].join(','))].join('\n');
    const program = `
data d = csv("data.csv", target: "y")
split d { train: 1 } seed 0
param w : Tensor[4] = 0
loss fit = mean(square(x @ w - y)) over train
update w by sgd(lr: 0.01) on fit
run 20 steps batch 8
report every 10 steps: fit, curvature = lambda_max(fit, w, iterations: 30)
`;
    const dir = workspace({ 'p.xreg': program, 'data.csv': csv });
    const out = path.join(dir, 'out');
    const r = await go({ file: path.join(dir, 'p.xreg'), out });
    expect(r.errors.join('\n')).toBe('');
    const values = logged(out, 'curvature');
    expect(values.length).toBe(2);
    const expected = (2 / rows.length) * Math.max(...a.map((ai, i) => ai * ai + (b[i] ?? 0) ** 2));
    // (5/25)^(2·30): converged; float32 sums leave ~1e-6 relative
    for (const v of values) expect(Math.abs(v.value - expected)).toBeLessThan(1e-4 * expected);
  }, 120_000);

  it('a tanh classifier on digits: equals power iteration on differences of gradients of the hand-written loss', async () => {
    const program = `
data d = digits(path: "${path.resolve('data/digits.csv.gz')}") |> subset(n: 300, seed: 0)
split d { train: 0.8, test: 0.2 } seed 0
model net(x) = x |> dense(8) |> tanh |> dense(10)
loss fit = cross_entropy(net(x), y) over train
update params(net) by sgd(lr: 0.1, momentum: 0.9) on fit
run 30 steps batch 32
report every 30 steps: fit, sharpness = lambda_max(fit, params(net), iterations: 60)
`;
    const dir = workspace({ 'p.xreg': program });
    const file = path.join(dir, 'p.xreg');
    const out = path.join(dir, 'out');
    let atEnd: Record<string, { data: Float32Array; shape: number[] }> = {};
    const r = await go(
      { file, out },
      {
        onStep: (m) => {
          if (m.state.step !== 30) return;
          atEnd = Object.fromEntries(Object.entries(m.state.params).map(([k, t]) => [k, { data: Float32Array.from(t.dataSync()), shape: [...t.shape] }]));
        },
      },
    );
    expect(r.errors.join('\n')).toBe('');
    const [reported] = logged(out, 'sharpness').filter((v) => v.step === 30);
    expect(reported).toBeDefined();

    // the training split as the run saw it, and the same loss without the compiler
    const compiled = compileText(program, file);
    if (compiled.ir === undefined) throw new Error('did not compile');
    const data = await prepareData(compiled.ir, standardLibrary);
    if (E.isLeft(data)) throw new Error(data.left.message);
    const train = data.right.splits['d.train'];
    const xs = train?.fields['x'];
    const ys = train?.fields['y'];
    if (xs === undefined || ys === undefined) throw new Error('no training split');
    const x = tf.tensor(xs.data, [ys.data.length, 64]);
    const y = tf.tensor1d(Int32Array.from(ys.data), 'int32');
    const crossEntropy = func('cross_entropy');
    const paths = ['net.dense1.w', 'net.dense1.b', 'net.dense2.w', 'net.dense2.b'];
    const theta = paths.map((p) => {
      const v = atEnd[p];
      if (v === undefined) throw new Error(`no ${p} in ${Object.keys(atEnd).join(', ')}`);
      return tf.tensor(v.data, v.shape);
    });
    const f: Objective = ([w1, b1, w2, b2]) =>
      crossEntropy.apply([tf.add(tf.matMul(tf.tanh(tf.add(tf.matMul(x, w1 as tf.Tensor), b1 as tf.Tensor)), w2 as tf.Tensor), b2 as tf.Tensor), y], { smoothing: 0 });
    const independent = largestHessianEigenvalue(f, theta, { iterations: 60, product: 'difference', step: 1e-2 }).value.dataSync()[0] ?? Number.NaN;
    expect(independent).toBeGreaterThan(0.05);
    expect(Math.abs((reported?.value ?? Number.NaN) - independent)).toBeLessThan(5e-3 * independent);
  }, 240_000);
});
