/**
 * A sweep variable where a constant stands: a layer argument (`dropout(rate: r)`), a layer's
 * initial value (`noise(init: s)`), a function option in a loss term, a user layer's argument, and
 * optimizer options and loss terms inside an `ensemble` within the sweep. Each member's value must
 * reach its place: checked on the member's lowered program, its initial parameters, or a short run.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as E from 'fp-ts/lib/Either.js';
import { beforeAll, describe, expect, it } from 'vitest';
import type { IRExpr, IRProgram } from '../../compiler/ir.js';
import { children } from '../../compiler/ir.js';
import { explain } from '../../compiler/explain.js';
import { lowerProgram } from '../../compiler/lower/index.js';
import { standardLibrary } from '../../stdlib/registry.js';
import { go, metricsLines, workspace } from '../helpers/run-program.js';
import { compile } from './helpers.js';
import { irOf } from './lower-text.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const DIGITS = `data d = digits()
split d { train: 0.7, reg: 0.1, test: 0.2 } seed 0
`;

const nodes = (e: IRExpr): IRExpr[] => [e, ...children(e).flatMap(nodes)];
const allNodes = (ir: IRProgram): IRExpr[] =>
  [...ir.rules, ...(ir.sweep?.body.rules ?? []), ...(ir.ensemble?.body.rules ?? [])].flatMap((r) => nodes(r.loss));

const member = (ir: IRProgram, values: Record<string, number>) => {
  const r = lowerProgram(ir, standardLibrary, { sweep: values });
  if (E.isLeft(r)) throw new Error(r.left.map((d) => d.message).join('\n'));
  return r.right;
};

describe('a sweep variable as a layer argument', () => {
  const text0 = `${DIGITS}sweep r in [0.1, 0.5] {
  model net(x) = x |> dense(16) |> dropout(rate: r) |> relu |> dense(10)
  loss fit = cross_entropy(net(x), y) over train
  update params(net) by adam(lr: 1e-3) on fit
  metric val = cross_entropy(deterministic net(x), y) over reg
} select lowest val
run 2 steps batch 8
`;

  it("reaches each member's dropout layer", () => {
    const ir = irOf(text0);
    for (const r of [0.1, 0.5]) {
      const lowered = member(ir, { r });
      const drops = allNodes(lowered.ir).filter((n) => n.kind === 'layer' && n.layer === 'dropout');
      expect(drops.length).toBeGreaterThan(0);
      for (const n of drops) if (n.kind === 'layer') expect(n.args['rate']).toBe(r);
    }
  });

  it('is explained as written, not as the first member\'s value', () => {
    const text = explain(irOf(text0));
    expect(text).toContain('dropout(rate: r)');
    expect(text).not.toContain('dropout(0.1)');
  });

  it('reaches it through a user layer that passes its argument on', () => {
    const ir = irOf(`${DIGITS}layer block(p) = dense(16) |> dropout(rate: p) |> relu
sweep r in [0.2, 0.4] {
  model net(x) = x |> block(r / 2) |> dense(10)
  loss fit = cross_entropy(net(x), y) over train
  update params(net) by adam(lr: 1e-3) on fit
}
run 2 steps batch 8
`);
    const drop = allNodes(member(ir, { r: 0.4 }).ir).find((n) => n.kind === 'layer' && n.layer === 'dropout');
    expect(drop?.kind === 'layer' ? drop.args['rate'] : undefined).toBeCloseTo(0.2, 12);
  });

  it("initializes a noise layer's log σ from the member's value", () => {
    const ir = irOf(`${DIGITS}sweep s in [-3, -0.5] {
  model net(x) = x |> dense(16) |> noise(init: s) |> relu |> dense(10)
  loss fit = cross_entropy(net(x), y) over train
  update params(net) - noise_scales(net) by adam(lr: 1e-3) on fit
  freeze noise_scales(net)
}
run 2 steps batch 8
`);
    for (const s of [-3, -0.5]) {
      const state = member(ir, { s }).init(0);
      const ls = state.params['net.noise.log_sigma'];
      expect(ls).toBeDefined();
      for (const v of ls!.dataSync()) expect(v).toBeCloseTo(s, 6);
    }
  });

  it('binds a function option inside a loss term', () => {
    const ir = irOf(`${DIGITS}model net(x) = x |> dense(10)
sweep eps in [0, 0.2] {
  loss fit = cross_entropy(net(x), y, smoothing: eps) + 0.01 * l2(params(net)) over train
  update params(net) by adam(lr: 1e-3) on fit
}
run 2 steps batch 8
`);
    const ce = allNodes(member(ir, { eps: 0.2 }).ir).find((n) => n.kind === 'call' && n.fn === 'cross_entropy');
    expect(ce?.kind === 'call' ? ce.options['smoothing'] : undefined).toBe(0.2);
  });

  /** The E0227 message of a one-model sweep over `values` whose model is `model`. */
  const refusal = (sweep: string, model: string): string | undefined =>
    compile(`${DIGITS}sweep ${sweep} {
  model net(x) = x |> ${model} |> dense(10)
  loss fit = cross_entropy(net(x), y) over train
  update params(net) by adam(lr: 1e-3) on fit
}
run 2 steps batch 8
`).diagnostics.find((d) => d.code === 'E0227')?.message;

  it('refuses a value that would change a shape, naming the member (E0227)', () => {
    expect(refusal('n in [8, 16]', 'dense(n) |> relu')).toContain('n = 16');
  });

  it('refuses a value only a later member gets wrong', () => {
    expect(refusal('r in [0.1, 1.5]', 'dense(16) |> dropout(rate: r)')).toContain('r = 1.5');
    expect(refusal('r in [0.1, 0.5]', 'dense(16) |> dropout(rate: r)')).toBeUndefined();
  });
});

describe('an ensemble inside a sweep', () => {
  const LINEAR = `data d = correlated_features(base: 3, copies: 2, noise: 0.1, n: 120, seed: 2)
split d { train: 0.5, reg: 0.5 } seed 0
param w : Tensor[6] = 0
`;

  const norms = async (text: string): Promise<Map<number, number>> => {
    const dir = workspace({ 'p.xreg': text });
    const r = await go({ file: `${dir}/p.xreg`, out: `${dir}/out` });
    expect(r.errors.filter((l) => l.startsWith('error'))).toEqual([]);
    expect(r.code).toBe(0);
    const last = new Map<number, number>();
    for (const l of metricsLines(`${dir}/out`)) if (typeof l['wn'] === 'number') last.set(l['member'] as number, l['wn']);
    return last;
  };

  it("gives an optimizer option the member's value (lr 0 leaves w at 0)", async () => {
    const wn = await norms(`${LINEAR}loss fit = mse(x @ w, y) over train
sweep lr in [0, 0.05] {
  ensemble 2 as avg {
    update w by sgd(lr: lr) on fit
  }
}
report every 20 steps: wn = l2(w)
run 40 steps batch 30
`);
    expect(wn.get(0)).toBe(0);
    expect(wn.get(1)).toBeGreaterThan(0.01);
  });

  it("gives a loss term the member's value (a large penalty keeps w small)", async () => {
    const wn = await norms(`${LINEAR}sweep lam in [0, 10] {
  loss fit = mse(x @ w, y) + lam * l2(w) over train
  ensemble 2 as avg {
    update w by sgd(lr: 0.02) on fit
  }
}
report every 20 steps: wn = l2(w)
run 60 steps batch 30
`);
    expect(wn.get(0)).toBeGreaterThan(0.01);
    expect(wn.get(1)! * 5).toBeLessThan(wn.get(0)!);
  });
});
