/**
 * Each optimizer against its update rule written out again in float64 JavaScript (the paper/PyTorch
 * formulas, not the implementation's arrangement), over several steps on small tensors.
 */
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { adam, adamw, rmsprop, sgd } from '../../stdlib/optimizers/index.js';
import type { ConstArgs, OptimizerDef, OptState } from '../../stdlib/types.js';
import { rng } from '../helpers/random.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

type Vec = number[];

/** Values representable in float32, so both computations start from the same numbers. */
const f32vec = (r: () => number, n: number, scale: number): Vec =>
  Array.from({ length: n }, () => Math.fround((r() * 2 - 1) * scale));

const SHAPES: readonly number[][] = [[3], [2, 2], []];
const size = (s: readonly number[]): number => s.reduce((a, b) => a * b, 1);

interface Case {
  readonly params: Vec[];
  /** grads[k][i]: the gradient of parameter i at step k. */
  readonly grads: Vec[][];
}

const makeCase = (seed: number, steps: number): Case => {
  const r = rng(seed);
  return {
    params: SHAPES.map((s) => f32vec(r, size(s), 1)),
    // Gradients of mixed scales: the adaptive methods divide by their running magnitude.
    grads: Array.from({ length: steps }, () => SHAPES.map((s, i) => f32vec(r, size(s), 10 ** (i - 1)))),
  };
};

/** Runs `steps` updates with the library optimizer; returns the parameters after each step. */
const runLib = (opt: OptimizerDef, c: Case, lr: number, options: ConstArgs): Vec[][] => {
  let params = c.params.map((p, i) => tf.tensor(p, SHAPES[i]));
  let state: OptState = opt.init(params, options);
  const history: Vec[][] = [];
  for (const gs of c.grads) {
    const grads = gs.map((g, i) => tf.tensor(g, SHAPES[i]));
    const out = opt.step(params, grads, state, lr, options);
    tf.dispose([...params, ...grads, ...Object.values(state.slots).flat()]);
    params = [...out.params];
    state = out.state;
    history.push(params.map((p) => Array.from(p.dataSync())));
  }
  tf.dispose([...params, ...Object.values(state.slots).flat()]);
  return history;
};

/** Float64 reference: `update(p, g, k, slots)` mutates its own copies, one parameter at a time. */
const runRef = (
  c: Case,
  slotNames: readonly string[],
  update: (p: Vec, g: Vec, k: number, slots: Record<string, Vec>) => void,
): Vec[][] => {
  const params = c.params.map((p) => [...p]);
  const slots = params.map((p) => Object.fromEntries(slotNames.map((n) => [n, p.map(() => 0)])));
  return c.grads.map((gs, k) => {
    params.forEach((p, i) => update(p, gs[i] as Vec, k + 1, slots[i] as Record<string, Vec>));
    return params.map((p) => [...p]);
  });
};

const RTOL = 1e-6;
/** Float32 tensors against float64 numbers: relative error, floored near zero by the parameters' scale. */
const expectClose = (got: Vec[][], want: Vec[][]): void => {
  expect(got.length).toBe(want.length);
  got.forEach((step, k) =>
    step.forEach((p, i) =>
      p.forEach((x, j) => {
        const w = want[k]?.[i]?.[j] as number;
        const err = Math.abs(x - w) / Math.max(Math.abs(w), 1e-2);
        if (!(err <= RTOL)) expect.fail(`step ${k + 1}, param ${i}[${j}]: got ${x}, want ${w} (rel. err ${err})`);
      }),
    ),
  );
};

const maxDiff = (a: Vec[][], b: Vec[][]): number =>
  Math.max(...a.flatMap((s, k) => s.flatMap((p, i) => p.map((x, j) => Math.abs(x - (b[k]?.[i]?.[j] as number))))));

const STEPS = 5;

const sgdRef = (lr: number, mu: number, nesterov: boolean, wd: number) => (p: Vec, g0: Vec, k: number, s: Record<string, Vec>) => {
  const b = s['b'] as Vec;
  for (let j = 0; j < p.length; j++) {
    let g = (g0[j] as number) + wd * (p[j] as number);
    if (mu !== 0) {
      b[j] = k === 1 ? g : mu * (b[j] as number) + g;
      g = nesterov ? g + mu * (b[j] as number) : (b[j] as number);
    }
    p[j] = (p[j] as number) - lr * g;
  }
};

describe('sgd', () => {
  const cases: [string, ConstArgs, number, boolean, number][] = [
    ['plain', {}, 0, false, 0],
    ['momentum', { momentum: 0.9 }, 0.9, false, 0],
    ['nesterov', { momentum: 0.9, nesterov: true }, 0.9, true, 0],
    ['weight decay + momentum', { momentum: 0.5, weight_decay: 0.1 }, 0.5, false, 0.1],
  ];
  for (const [label, options, mu, nesterov, wd] of cases) {
    it(`${label} matches p ← p − η·(momentum-corrected g)`, () => {
      const c = makeCase(11, STEPS);
      const lr = 0.05;
      expectClose(runLib(sgd, c, lr, { lr, ...options }), runRef(c, ['b'], sgdRef(lr, mu, nesterov, wd)));
    });
  }

  it('nesterov differs from heavy-ball momentum', () => {
    const c = makeCase(12, STEPS);
    const a = runLib(sgd, c, 0.05, { lr: 0.05, momentum: 0.9 });
    const b = runLib(sgd, c, 0.05, { lr: 0.05, momentum: 0.9, nesterov: true });
    expect(maxDiff(a, b)).toBeGreaterThan(1e-3);
  });

  it('keeps no state without momentum and one buffer per parameter with it', () => {
    const p = [tf.zeros([2]), tf.zeros([3, 1])];
    expect(Object.keys(sgd.init(p, { lr: 1 }).slots)).toEqual([]);
    const s = sgd.init(p, { lr: 1, momentum: 0.9 });
    expect(s.t).toBe(0);
    expect(s.slots['momentum_buffer']?.map((b) => b.shape)).toEqual([[2], [3, 1]]);
    tf.dispose([...p, ...Object.values(s.slots).flat()]);
  });
});

const adamRef =
  (lr: number, b1: number, b2: number, eps: number, wd: number, decoupled: boolean) =>
  (p: Vec, g0: Vec, k: number, s: Record<string, Vec>) => {
    const m = s['m'] as Vec;
    const v = s['v'] as Vec;
    for (let j = 0; j < p.length; j++) {
      let pj = p[j] as number;
      let g = g0[j] as number;
      if (decoupled) pj -= lr * wd * pj;
      else g += wd * pj;
      m[j] = b1 * (m[j] as number) + (1 - b1) * g;
      v[j] = b2 * (v[j] as number) + (1 - b2) * g * g;
      const mHat = (m[j] as number) / (1 - b1 ** k);
      const vHat = (v[j] as number) / (1 - b2 ** k);
      p[j] = pj - (lr * mHat) / (Math.sqrt(vHat) + eps);
    }
  };

describe('adam and adamw', () => {
  it('adam with defaults matches m̂ / (√v̂ + ε)', () => {
    const c = makeCase(21, STEPS);
    expectClose(runLib(adam, c, 0.01, { lr: 0.01 }), runRef(c, ['m', 'v'], adamRef(0.01, 0.9, 0.999, 1e-8, 0, false)));
  });

  it('adam with other betas, a large eps and L2 weight decay in the gradient', () => {
    const c = makeCase(22, STEPS);
    const o = { lr: 0.1, beta1: 0.5, beta2: 0.9, eps: 1e-3, weight_decay: 0.05 };
    expectClose(runLib(adam, c, 0.1, o), runRef(c, ['m', 'v'], adamRef(0.1, 0.5, 0.9, 1e-3, 0.05, false)));
  });

  it('adamw decays the weights apart from the gradient (default weight_decay 0.01)', () => {
    const c = makeCase(23, STEPS);
    expectClose(runLib(adamw, c, 0.05, { lr: 0.05 }), runRef(c, ['m', 'v'], adamRef(0.05, 0.9, 0.999, 1e-8, 0.01, true)));
  });

  it('decoupled decay differs from Adam + L2 at the same coefficient', () => {
    const c = makeCase(24, STEPS);
    const o = { lr: 0.05, weight_decay: 0.5 };
    const w = runLib(adamw, c, 0.05, o);
    const l2 = runLib(adam, c, 0.05, o);
    expectClose(l2, runRef(c, ['m', 'v'], adamRef(0.05, 0.9, 0.999, 1e-8, 0.5, false)));
    expectClose(w, runRef(c, ['m', 'v'], adamRef(0.05, 0.9, 0.999, 1e-8, 0.5, true)));
    // Adam normalizes the L2 term away with the gradient; AdamW shrinks p by ηλp regardless.
    expect(maxDiff(w, l2)).toBeGreaterThan(1e-3);
  });

  it('adamw with weight_decay 0 is adam', () => {
    const c = makeCase(25, STEPS);
    expect(maxDiff(runLib(adamw, c, 0.05, { lr: 0.05, weight_decay: 0 }), runLib(adam, c, 0.05, { lr: 0.05 }))).toBe(0);
  });

  it('counts updates in the state and keeps m and v per parameter', () => {
    const p = [tf.ones([2])];
    const g = [tf.ones([2])];
    const s0 = adam.init(p, { lr: 0.1 });
    const r = adam.step(p, g, s0, 0.1, { lr: 0.1 });
    expect(r.state.t).toBe(1);
    expect(Array.from(r.state.slots['exp_avg']?.[0]?.dataSync() ?? [])).toEqual([0.1, 0.1].map(Math.fround));
    expect(Array.from(r.state.slots['exp_avg_sq']?.[0]?.dataSync() ?? [])).toEqual([0.001, 0.001].map(Math.fround));
    tf.dispose([...p, ...g, ...r.params, ...Object.values(s0.slots).flat(), ...Object.values(r.state.slots).flat()]);
  });
});

const rmspropRef =
  (lr: number, alpha: number, mu: number, eps: number, centered: boolean, wd: number) =>
  (p: Vec, g0: Vec, _k: number, s: Record<string, Vec>) => {
    const v = s['v'] as Vec;
    const a = s['a'] as Vec;
    const b = s['b'] as Vec;
    for (let j = 0; j < p.length; j++) {
      const g = (g0[j] as number) + wd * (p[j] as number);
      v[j] = alpha * (v[j] as number) + (1 - alpha) * g * g;
      let denom = v[j] as number;
      if (centered) {
        a[j] = alpha * (a[j] as number) + (1 - alpha) * g;
        denom -= (a[j] as number) ** 2;
      }
      const step = g / (Math.sqrt(denom) + eps);
      if (mu > 0) {
        b[j] = mu * (b[j] as number) + step;
        p[j] = (p[j] as number) - lr * (b[j] as number);
      } else p[j] = (p[j] as number) - lr * step;
    }
  };

describe('rmsprop', () => {
  const cases: [string, ConstArgs, number, number, number, boolean, number][] = [
    ['defaults', {}, 0.9, 0, 1e-8, false, 0],
    ['momentum', { momentum: 0.8 }, 0.9, 0.8, 1e-8, false, 0],
    ['centered', { centered: true, decay: 0.7 }, 0.7, 0, 1e-8, true, 0],
    ['centered + momentum + decay + eps', { centered: true, momentum: 0.5, weight_decay: 0.1, eps: 1e-4 }, 0.9, 0.5, 1e-4, true, 0.1],
  ];
  for (const [label, options, alpha, mu, eps, centered, wd] of cases) {
    it(`${label} matches g / (√v + ε)`, () => {
      const c = makeCase(31, STEPS);
      const lr = 0.01;
      expectClose(runLib(rmsprop, c, lr, { lr, ...options }), runRef(c, ['v', 'a', 'b'], rmspropRef(lr, alpha, mu, eps, centered, wd)));
    });
  }
});
