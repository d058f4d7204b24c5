/** A small sweep with `select`, and readers of what its run folders hold, for the parts/queue tests. */
import * as E from 'fp-ts/lib/Either.js';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { loadCheckpoint, SELECTED_DIR } from '../../runtime/checkpoint/store.js';
import type { Manifest } from '../../runtime/results/manifest.js';

/** Three members, the best neither first nor last trained; `steps` long, reported every `every`. */
export const sweepProgram = (steps: number, every: number): string => `data d = correlated_features(base: 2, copies: 2, noise: 0.1, n: 60, seed: 3)
split d { train: 1/2, reg: 1/2 } seed 0
param w : Tensor[4] ~ normal(0, 0.1)
sweep lam in [0.001, 3, 0.3] {
  loss fit = mse(x @ w, y) + lam * l2(w) over train
  update w by sgd(lr: 0.02, momentum: 0.5) on fit
  metric gen = mse(x @ w, y) over reg
} select lowest gen
run ${steps} steps batch 10
report every ${every}: gen
`;

/** Four members exploiting every `every` steps (the worst quarter copies the best), `steps` long. */
export const populationProgram = (steps: number, every: number): string => `data d = correlated_features(base: 2, copies: 2, noise: 0.1, n: 60, seed: 3)
split d { train: 1/2, reg: 1/2 } seed 0
param w : Tensor[4] ~ normal(0, 0.1)
metric gen = mse(x @ w, y) over reg
population 4 {
  hyper lam : Scalar ~ uniform(0.001, 1)
  loss fit = mse(x @ w, y) + lam * l2(w) over train
  update w by sgd(lr: 0.02) on fit
}
every ${every} steps: exploit truncation(0.25) by lowest gen, explore perturb(0.8, 1.2)
run ${steps} steps batch 10
report every ${every}: gen
`;

/** Dropout and Adam: every step draws from the seed, so a member on another seed stream would show. */
export const seededProgram = `data d = correlated_features(base: 2, copies: 2, noise: 0.1, n: 60, seed: 3)
split d { train: 1/2, reg: 1/2 } seed 0
model net(x) = x |> dense(8) |> relu |> dropout(rate: 0.2) |> dense(1)
loss fit = mse(net(x), y) over train
update params(net) by adam(lr: 0.01) on fit
metric gen = mse(deterministic net(x), y) over reg
run 20 steps batch 10
report every 10: gen, fit
`;

/** Three ensemble members with dropout and Adam; `gen` reads their average, `member_gen` each one. */
export const ensembleProgram = `data d = correlated_features(base: 2, copies: 2, noise: 0.1, n: 60, seed: 3)
split d { train: 1/2, reg: 1/2 } seed 0
model net(x) = x |> dense(8) |> relu |> dropout(rate: 0.2) |> dense(1)
loss fit = mse(net(x), y) over train
ensemble 3 as avg {
  update params(net) by adam(lr: 0.01) on fit
}
metric gen = mse(avg(deterministic net(x)), y) over reg
metric member_gen = mse(deterministic net(x), y) over reg
run 20 steps batch 10
report every 5: fit, gen, member_gen
`;

export const manifestOf = (dir: string): Manifest => JSON.parse(readFileSync(path.join(dir, 'manifest.json'), 'utf8')) as Manifest;
export const metricLines = (dir: string): string[] => readFileSync(path.join(dir, 'metrics.jsonl'), 'utf8').trim().split('\n');

/** The selected member's parameters `w`, from the folder's `selected` checkpoint. */
export const selectedW = async (dir: string, program: string): Promise<number[]> => {
  const ck = await loadCheckpoint(path.join(dir, SELECTED_DIR), {});
  if (E.isLeft(ck)) throw new Error(ck.left);
  return Array.from(ck.right.snapshot.live[0]?.state.params['w']?.dataSync() ?? []);
};
