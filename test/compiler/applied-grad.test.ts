/**
 * `applied_grad(p)` in a report: the gradient the rule updating p applied at its last firing. With
 * sgd(lr: 1) and no momentum the step is exactly that gradient, so the logged value must equal
 * ρ_before − ρ_after; for a `through` rule it is the implicit (total) derivative, which is non-zero
 * where the partial one is 0. It is kept in the run state, so a resumed run logs what the
 * uninterrupted one did.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Batches } from '../../compiler/lower/types.js';
import { go, metricsLines, workspace } from '../helpers/run-program.js';
import { numbers } from './lower-ir.js';
import { lowerText } from './lower-text.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const program = (every: number): string => `data d = correlated_features(base: 3, copies: 1, noise: 0.1, n: 60, seed: 1)
split d { train: 1/2, reg: 1/2 } seed 0
param w : Tensor[3] = 0
param log_lam : Scalar = -1
loss fit = mse(x @ w, y) + exp(log_lam) * l2(w) over train
loss gen = mse(x @ w, y) over reg
update w by sgd(lr: 0.1) on fit
update log_lam by sgd(lr: 1) on gen through fit every ${every} steps
run 24 steps batch 10
report every 4 steps: gen, lam_grad = applied_grad(log_lam), w_grad = norm(applied_grad(w))
`;

describe('applied_grad', () => {
  it('is zero before the rule fires, then the gradient its last step applied (the implicit one under through)', () => {
    const low = lowerText(program(1));
    const item = (name: string) => {
      const o = low.reports.find((r) => r.name === name);
      if (o === undefined) throw new Error(`no report item ${name}`);
      return o;
    };
    const batches: Batches = {
      'd.train': { x: tf.tensor(Float32Array.from(numbers(30, 1)), [10, 3]), y: tf.tensor(Float32Array.from(numbers(10, 2))) },
      'd.reg': { x: tf.tensor(Float32Array.from(numbers(30, 3)), [10, 3]), y: tf.tensor(Float32Array.from(numbers(10, 4))) },
    };
    const s0 = low.init(0);
    expect(item('lam_grad').evaluate(s0, batches, 0).value).toBe(0);
    // w away from 0, so that gen depends on log_lam through w
    const s1 = low.rules[0]?.step(s0, batches, 0);
    const s2 = s1 === undefined ? undefined : low.rules[1]?.step(s1, batches, 1);
    if (s1 === undefined || s2 === undefined) throw new Error('no rules');
    const applied = item('lam_grad').evaluate(s2, batches, 0).value;
    const moved = (s1.params['log_lam']?.dataSync()[0] ?? Number.NaN) - (s2.params['log_lam']?.dataSync()[0] ?? Number.NaN);
    expect(Math.abs(applied)).toBeGreaterThan(1e-6);
    expect(applied).toBeCloseTo(moved, 6);
    // w's gradient came from rule 0's step: sgd(lr: 0.1) moved w by 0.1·g
    const wStep = tf.tidy(() => tf.norm(tf.sub(s1.params['w'] as tf.Tensor, s0.params['w'] as tf.Tensor)).dataSync()[0] ?? Number.NaN);
    expect(item('w_grad').evaluate(s2, batches, 0).value).toBeCloseTo(wStep / 0.1, 4);
  });

  it('is logged in metrics.jsonl and survives --resume between two firings', async () => {
    const d = workspace({ 'p.xreg': program(3) });
    const file = path.join(d, 'p.xreg');
    const whole = path.join(d, 'whole');
    expect((await go({ file, out: whole })).code).toBe(0);
    const out = path.join(d, 'out');
    let at = 0;
    // stop at step 8: log_lam last fired at step 6, so the report at 8 reads the stored gradient
    expect((await go({ file, out, checkpointEvery: 4 }, { onStep: (m) => (at = m.state.step), shouldStop: () => at >= 8 })).code).toBe(130);
    const second = await go({ file, resume: out, checkpointEvery: 4 });
    expect(second.errors).toEqual([]);
    const lines = (dir: string) => metricsLines(dir).map((r) => ({ step: r['step'], lam_grad: r['lam_grad'], w_grad: r['w_grad'] }));
    const a = lines(whole);
    expect(a.length).toBe(6);
    expect(a.every((r) => typeof r.lam_grad === 'number' && r.lam_grad !== 0)).toBe(true);
    expect(lines(out)).toEqual(a);
  });
});
