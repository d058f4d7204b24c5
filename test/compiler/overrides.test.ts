/** `--set` values are read against their `let`: a list stays a list, another kind is E0224. */
import { describe, expect, it } from 'vitest';
import { compileText } from '../../compiler/compile.js';

const program = `let lams = [0.01, 0.1, 1]
let lr = 0.05
data d = correlated_features(base: 2, copies: 2, noise: 0.1, n: 40, seed: 1)
split d { train: 1/2, reg: 1/2 } seed 0
param w : Tensor[4] = 0
metric gen = mse(x @ w, y) over reg
sweep lam in lams {
  loss fit = mse(x @ w, y) + lam * l2(w) over train
  update w by sgd(lr: lr) on fit
} select lowest gen
run 10 steps
`;

const run = (overrides: Record<string, number | string | boolean>) => compileText(program, 'p.xreg', { overrides });
const codes = (overrides: Record<string, number | string | boolean>): string[] => run(overrides).diagnostics.filter((d) => d.severity === 'error').map((d) => d.code);

describe('--set against its let', () => {
  it("reads '[0.1]' as a list for a list let (it was a string: a sweep of 0 members)", () => {
    expect(run({ lams: '[0.1]' }).ir?.sweep?.members).toEqual([{ lam: 0.1 }]);
    expect(run({ lams: '[0.5, 2]' }).ir?.sweep?.members).toEqual([{ lam: 0.5 }, { lam: 2 }]);
  });

  it('refuses a value of another kind, with the let’s own kind in the hint (E0224)', () => {
    expect(codes({ lams: 0.1 })).toEqual(['E0224']);
    expect(run({ lams: 0.1 }).diagnostics[0]?.hint).toContain("--set 'lams=[0.01, 0.1]'");
    expect(codes({ lr: 'fast' })).toEqual(['E0224']);
    expect(codes({ lr: '[0.1]' })).toEqual(['E0224']);
  });

  it('takes a value of the same kind (ints are numbers)', () => {
    expect(codes({ lr: 0.5 })).toEqual([]);
    expect(codes({ lr: 1 })).toEqual([]);
  });
});
