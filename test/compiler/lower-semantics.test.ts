/**
 * What lowering means beyond the numerics of one gradient: rule isolation and ordering, noise
 * switches, Monte Carlo means, threaded helper state, memory, initialization, and refusals.
 * Programs are compiled from `.xreg` text; only the refusals build IR by hand (the front half
 * rejects such programs before lowering sees them).
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as E from 'fp-ts/lib/Either.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { lowerProgram } from '../../compiler/lower/index.js';
import { releaseOld } from '../../compiler/lower/release.js';
import type { Batches, LoweredProgram, RunState } from '../../compiler/lower/types.js';
import { LowerCodes } from '../../compiler/lower/codes.js';
import type { IRExpr, IRProgram } from '../../compiler/ir.js';
import { standardLibrary } from '../../stdlib/registry.js';
import { expectAllClose } from '../helpers/finite-diff.js';
import { compile, errors } from './helpers.js';
import { bin, call, field, numbers, over, p, param, program, rule, span } from './lower-ir.js';
import { irOf } from './lower-text.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const DATA = (features: number): string => `data d = correlated_features(base: ${features}, copies: 1, noise: 0.1, n: 40, seed: 1)
split d { train: 1/2, reg: 1/4, test: 1/4 } seed 0
`;

const lower = (text: string | IRProgram): LoweredProgram => {
  const r = lowerProgram(typeof text === 'string' ? irOf(text) : text, standardLibrary);
  if (E.isLeft(r)) throw new Error(r.left.map((d) => d.message).join('\n'));
  return r.right;
};
const f64 = (t: tf.Tensor | undefined): Float64Array => Float64Array.from((t as tf.Tensor).dataSync());
const batchX = (n: number, d: number, seed: number): tf.Tensor => tf.tensor(Float32Array.from(numbers(n * d, seed)), [n, d]);

describe('rules', () => {
  // update1: a on l2(a − b); update2: b on l2(a − b). Each sees the state the previous one made.
  const ir = `param a : Tensor[3] ~ normal(0, 1)
param b : Tensor[3] ~ normal(0, 1)
loss l = l2(a - b)
update a by sgd(lr: 0.1) on l
update b by sgd(lr: 0.1) on l
`;

  it('differentiate only their own targets, and the second sees the first one’s output', () => {
    const lw = lower(ir);
    const s0 = lw.init(1);
    const [r1, r2] = lw.rules;
    if (r1 === undefined || r2 === undefined) throw new Error('two rules');
    const s1 = r1.step(s0, {}, 0);
    expect(s1.params['b']).toBe(s0.params['b']);
    expect(s1.opt['update2']).toBe(s0.opt['update2']);
    const a0 = f64(s0.params['a']);
    const b0 = f64(s0.params['b']);
    const a1 = a0.map((a, i) => a - 0.1 * 2 * (a - (b0[i] ?? 0)));
    expectAllClose(f64(s1.params['a']), a1, 1e-5, 1e-6);
    const s2 = r2.step(s1, {}, 0);
    expect(s2.params['a']).toBe(s1.params['a']);
    // ∂/∂b l2(a − b) = −2(a − b), at a₁ (not a₀)
    const b1 = b0.map((b, i) => b + 0.1 * 2 * ((a1[i] ?? 0) - b));
    expectAllClose(f64(s2.params['b']), b1, 1e-5, 1e-6);
    // Inputs are not disposed by a step.
    expect(s0.params['a']?.isDisposed).toBe(false);
  });
});

describe('randomness', () => {
  const n = 6;
  const d = 4;
  const ir = `${DATA(d)}model noisy(x) = x |> noise(init: 0)
freeze noise_scales(noisy)
metric det = mean(deterministic noisy(x)) over test
metric one = mean(noisy(x)) over test
metric mc = mean(mean[2] noisy(x)) over test
metric two = mean((noisy(x) + noisy(x)) / 2) over test
metric plain = mean(x) over test
`;

  it('deterministic switches noise off; a key reproduces its draws; mean[K] averages K fresh draws', () => {
    const lw = lower(ir);
    const s = lw.init(0);
    const batches: Batches = { 'd.test': { x: batchX(n, d, 3) } };
    const v = (name: string, key: number): number => {
      const m = lw.metrics.find((o) => o.name === name);
      if (m === undefined) throw new Error(name);
      return m.evaluate(s, batches, key).value;
    };
    const plain = v('plain', 0);
    expect(v('det', 1)).toBeCloseTo(plain, 6);
    expect(v('det', 2)).toBe(v('det', 1));
    expect(Math.abs(v('one', 1) - plain)).toBeGreaterThan(1e-3);
    expect(v('one', 1)).toBe(v('one', 1));
    expect(v('one', 1)).not.toBe(v('one', 2));
    expect(v('mc', 1)).not.toBe(v('one', 1));
    // Draw i of mean[2] is the i-th draw of the key, as in two noisy evaluations written out.
    expect(v('mc', 1)).toBeCloseTo(v('two', 1), 6);
    expect(lw.metrics[0]?.needs).toEqual([{ data: 'd', split: 'test', batch: 'all' }]);
  });
});

describe('stateful helpers', () => {
  const ir = `${DATA(2)}metric z = zscore(mean(x) over train, momentum: 0.99)
`;

  it('zscore threads its state across evaluations', () => {
    const lw = lower(ir);
    const s0 = lw.init(0);
    const [m] = lw.metrics;
    if (m === undefined) throw new Error('metric');
    const b1: Batches = { 'd.train': { x: tf.tensor([[1, 2], [3, 4]]) } };
    const b2: Batches = { 'd.train': { x: tf.tensor([[0, 0], [1, 1]]) } };
    const e1 = m.evaluate(s0, b1, 0);
    expect(e1.value).toBeCloseTo(0, 6);
    expect(e1.state.params).toBe(s0.params);
    const e2 = m.evaluate(e1.state, b2, 0);
    // second value: α = 1/2, mean = m₁ + δ/2, var = δ²/4, so z = (δ/2)/(|δ|/2) = sign(δ), δ = 0.5 − 2.5
    expect(e2.value).toBeCloseTo(-1, 4);
    const [key] = Object.keys(s0.helpers);
    expect(Object.keys(s0.helpers)).toHaveLength(1);
    expect(f64(e2.state.helpers[key ?? '']?.['count'])[0]).toBe(2);
    // From the initial state the same batch is the first value again: the state is what differs.
    expect(m.evaluate(s0, b2, 0).value).toBeCloseTo(0, 6);
    expect(f64(s0.helpers[key ?? '']?.['count'])[0]).toBe(0);
  });
});

describe('memory', () => {
  it('numTensors stays flat over 200 steps when the caller releases the replaced tensors', () => {
    const n = 8;
    const d = 3;
    const lw = lower(`${DATA(d)}model net(x) = x |> dense(4) |> noise(init: -2) |> relu |> dense(1, bias: false)
loss fit = mse(net(x), y) over train
metric zl = zscore(fit)
update params(net) - noise_scales(net) by adam(lr: 0.01) on zscore(fit)
update noise_scales(net) by sgd(lr: 0.01) on fit along grad(l2(flat(noise_scales(net)))) allow reg
`);
    const batches: Batches = { 'd.train': { x: batchX(n, d, 5), y: tf.tensor(Float32Array.from(numbers(n, 6)), [n]) } };
    let s: RunState = lw.init(4);
    const run = (k: number): void => {
      for (const r of lw.rules) {
        const next = r.step(s, batches, k);
        releaseOld(s, next);
        s = next;
      }
      const [m] = lw.metrics;
      if (m === undefined) throw new Error('metric');
      const e = m.evaluate(s, batches, k);
      releaseOld(s, e.state);
      s = { ...e.state, step: s.step + 1 };
    };
    run(0);
    const before = tf.memory().numTensors;
    for (let k = 1; k <= 200; k++) run(k);
    expect(tf.memory().numTensors).toBe(before);
    expect(s.opt['update1']?.t).toBe(201);
    expect(Object.values(s.params).every((t) => f64(t).every(Number.isFinite))).toBe(true);
  });
});

describe('init', () => {
  const base = `param a : Tensor[4] ~ normal(0, 1)
param s : Tensor[5] ~ uniform(-1, 1) on sphere
freeze s
`;

  it('seeds each parameter by path, normalizes sphere parameters, and builds optimizer and helper states', () => {
    const one = lower(`${base}update a by sgd(lr: 0.1, momentum: 0.9) on l2(a)\n`);
    // A parameter declared first and sorted first leaves the others' draws alone.
    const more = lower(`param _first : Tensor[2] ~ normal(0, 1)\nfreeze _first\n${base}update a by sgd(lr: 0.1) on l2(a)\n`);
    expect(more.ir.params[0]?.path).toBe('_first');
    const s1 = one.init(9);
    const s2 = more.init(9);
    expect(f64(s2.params['a'])).toEqual(f64(s1.params['a']));
    expect(f64(s2.params['s'])).toEqual(f64(s1.params['s']));
    expect(f64(one.init(10).params['a'])).not.toEqual(f64(s1.params['a']));
    expect(Math.hypot(...f64(s1.params['s']))).toBeCloseTo(1, 6);
    expect(s1.opt['update1']?.slots['momentum_buffer']?.length).toBe(1);
    expect(s1.step).toBe(0);
  });
});

describe('lowering without data, and refusals', () => {
  const d = 5;
  const fit = over('train', call('mse', [bin('@', field('train', 'x', ['B', d]), param('w', [d]), ['B']), field('train', 'y', ['B'])]), 64);
  const gen = over('reg', call('mse', [bin('@', field('reg', 'x', ['B', d]), param('w', [d]), ['B']), field('reg', 'y', ['B'])]));
  const params = [p('w', [d], { kind: 'zeros' })];

  it('lowers with no data loaded and lists what each rule and metric reads', () => {
    const ir = program(params, [rule('update1', ['w'], fit), rule('update2', ['w'], gen, { batch: 16 })], {
      metrics: [{ name: 'gen_all', expr: gen, span }],
      losses: [{ name: 'gen', expr: gen, span }],
    });
    const lw = lower(ir);
    expect(lw.rules.map((r) => r.needs)).toEqual([[{ data: 'd', split: 'train', batch: 64 }], [{ data: 'd', split: 'reg', batch: 16 }]]);
    expect(lw.metrics[0]?.needs).toEqual([{ data: 'd', split: 'reg', batch: 'all' }]);
    expect(lw.losses[0]?.needs).toEqual([{ data: 'd', split: 'reg', batch: 8 }]);
  });

  it('refuses the ensemble mean, non-scalar losses and report items, and unknown entries, with located codes', () => {
    const members: IRExpr = { kind: 'members', alias: 'nets', body: param('w', [d]), shape: [d], span };
    const codes = (ir: IRProgram): string[] => {
      const r = lowerProgram(ir, standardLibrary);
      return E.isLeft(r) ? r.left.map((x) => x.code) : [];
    };
    expect(codes(program(params, [rule('update1', ['w'], call('l2', [members]))]))).toEqual([LowerCodes.unsupported]);
    expect(codes(program(params, [rule('update1', ['w'], param('w', [d]))]))).toEqual([LowerCodes.notScalar]);
    expect(codes(program(params, [], { report: { every: { n: 1, unit: 'steps' }, items: [{ name: 'w', expr: param('w', [d]), span }] } }))).toEqual([
      LowerCodes.notScalar,
    ]);
    expect(codes(program(params, [rule('update1', ['w'], call('no_such_fn', [param('w', [d])]))]))).toEqual([LowerCodes.unknownEntry]);
    expect(codes(program(params, [{ ...rule('update1', ['w'], call('l2', [param('w', [d])])), optimizer: { name: 'sgd', options: { lr: 0.1, momentum: -1 } } }]))).toEqual([
      LowerCodes.badOptimizer,
    ]);
  });

  it('reads a sweep variable from the member’s values, and refuses to lower without them', () => {
    const ir = irOf(`param w : Tensor[${d}] = 0
sweep lam in [0.1, 1] {
  update w by sgd(lr: 0.5) on lam * l2(w)
}
`);
    expect(E.isLeft(lowerProgram(ir, standardLibrary))).toBe(true);
    const r = lowerProgram(ir, standardLibrary, { sweep: { lam: 0.1 } });
    if (E.isLeft(r)) throw new Error('should lower');
    const s0: RunState = { ...r.right.init(0), params: { w: tf.ones([d]) } };
    const s1 = r.right.rules.find((x) => x.ir.targets.includes('w'))?.step(s0, {}, 0);
    // w − 0.5 · 0.1 · 2w
    expectAllClose(f64(s1?.params['w']), new Array<number>(d).fill(0.9), 1e-6, 1e-7);
  });
});

describe('optimizer options that read a sweep variable', () => {
  const d = 3;
  const text = (lr: string): string => `param w : Tensor[${d}] = 1
sweep lam in [0.1, 0.2] {
  update w by sgd(lr: ${lr}) on l2(w)
}
`;

  it('are bound per member at lowering: sgd(lr: 2 * lam) steps w by 1 − 2·(2·lam)', () => {
    const ir = irOf(text('2 * lam'));
    expect(ir.sweep?.body.rules[0]?.optimizer.sweepOptions?.['lr']).toBeDefined();
    expect(E.isLeft(lowerProgram(ir, standardLibrary))).toBe(true);
    for (const lam of [0.1, 0.2]) {
      const r = lowerProgram(ir, standardLibrary, { sweep: { lam } });
      if (E.isLeft(r)) throw new Error(r.left.map((x) => x.message).join('\n'));
      const rule = r.right.rules[0];
      expect(rule?.options['lr']).toBeCloseTo(2 * lam, 12);
      const s1 = rule?.step(r.right.init(0), {}, 0);
      expectAllClose(f64(s1?.params['w']), new Array<number>(d).fill(1 - 2 * 2 * lam), 1e-6, 1e-7);
    }
  });

  it('are still refused when they read anything else (a parameter), and checked per member', () => {
    expect(errors(compile(text('w'))).map((x) => x.code)).toContain('E0209');
    // only numeric options follow a sweep variable: a bool one stays a compile-time constant
    expect(errors(compile(text('0.1, nesterov: lam'))).map((x) => x.code)).toEqual(['E0225']);
    // lr = 0.15 − lam is negative for the second member only: lowering the first (as xreg check
    // does) already says so, naming the member; lowering the second refuses its own.
    const ir = irOf(text('0.15 - lam'));
    const first = lowerProgram(ir, standardLibrary, { sweep: { lam: 0.1 } });
    expect(E.isLeft(first) ? first.left.map((x) => x.message) : []).toEqual([expect.stringMatching(/\(sweep member 1, lam = 0\.2\)$/)]);
    const second = lowerProgram(ir, standardLibrary, { sweep: { lam: 0.2 } });
    expect(E.isLeft(second) ? second.left.map((x) => x.code) : []).toEqual([LowerCodes.badOptimizer]);
    expect(E.isRight(lowerProgram(irOf(text('lam + 0.15')), standardLibrary, { sweep: { lam: 0.1 } }))).toBe(true);
    // More than arithmetic on the sweep variable is refused where it is written.
    const fn = errors(compile(text('exp(lam)')));
    expect(fn.map((x) => [x.code, x.message])).toEqual([['E0226', "option 'lr' of sgd reads a sweep variable through more than arithmetic: each member needs one number here"]]);
  });

  it('a sweep around a population is refused at lowering (the population would run its first value only)', () => {
    const ir = irOf(`param w : Tensor[3] = 1
population 2 {
  update w by sgd(lr: 0.1) on l2(w)
}
sweep lam in [0.1, 0.2] {
  metric m = lam * l2(w)
}
`);
    const r = lowerProgram(ir, standardLibrary, { sweep: { lam: 0.1 } });
    expect(E.isLeft(r) ? r.left.map((x) => x.code) : []).toEqual([LowerCodes.unsupported]);
  });
});

describe('references, phases and schedule horizons', () => {
  it('a metric referenced in a loss is a constant to the gradient; a loss reference is not', () => {
    const step = (r: 'loss' | 'metric'): Float64Array => {
      const lw = lower(`param w : Tensor[2] = 1\n${r} m = l2(w)\nupdate w by sgd(lr: 0.1) on l2(w) + m\n`);
      return f64(lw.rules[0]?.step(lw.init(0), {}, 0).params['w']);
    };
    expectAllClose(step('metric'), [0.8, 0.8], 1e-6, 1e-7); // 1 − 0.1 · 2
    expectAllClose(step('loss'), [0.6, 0.6], 1e-6, 1e-7); // 1 − 0.1 · 4
  });

  it('phase rules are lowered with their own optimizer states', () => {
    const loss = call('l2', [param('w', [2])]);
    const ir = program([p('w', [2], { kind: 'ones' })], [], {
      phases: [
        { name: 'fit', length: { n: 10, unit: 'steps' }, rules: [rule('fit.update1', ['w'], loss)] },
        { name: 'calibrate', rules: [{ ...rule('calibrate.update1', ['w'], loss), optimizer: { name: 'adam', options: { lr: 0.1 } } }] },
      ],
    });
    const lw = lower(ir);
    expect(lw.phases.map((ph) => [ph.name, ph.rules.map((r) => r.name)])).toEqual([
      ['fit', ['fit.update1']],
      ['calibrate', ['calibrate.update1']],
    ]);
    const s = lw.init(0);
    expect(Object.keys(s.opt).sort()).toEqual(['calibrate.update1', 'fit.update1']);
    expect(Object.keys(s.opt['calibrate.update1']?.slots ?? {}).length).toBeGreaterThan(0);
  });

  it('a cosine schedule spans the rule’s firings: from step 5 of a 10-step run is a horizon of 5 updates', () => {
    const ir = `param w : Tensor[1] = 1
update w by sgd(lr: 0.1, schedule: "cosine", min_lr: 0) on l2(w) from step 5
run 10 steps
`;
    const lw = lower(ir);
    const r = lw.rules[0];
    if (r === undefined) throw new Error('rule');
    // Updates t = 0..4 of T = 5: η_t = 0.05 (1 + cos(π t / 5)); w ← w (1 − 2 η_t).
    let s = lw.init(0);
    let w = 1;
    for (let t = 0; t < 5; t++) {
      s = r.step(s, {}, t);
      w *= 1 - 2 * 0.05 * (1 + Math.cos((Math.PI * t) / 5));
    }
    expectAllClose(f64(s.params['w']), [w], 1e-5, 1e-7);
  });
});
