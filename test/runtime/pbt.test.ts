/**
 * Populations rank by the direction the program states (`by highest` / `by lowest`), never by the
 * metric's name; perturbed values stay within `min`/`max`; every exploit is written to
 * metrics.jsonl and manifest.json, and a run stopped and resumed writes the same events and ends
 * with the same (perturbed) hyper-parameters as an uninterrupted one.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { MemberState } from '../../runtime/exec/member.js';
import { exploitExplore } from '../../runtime/exec/pbt.js';
import { directions } from '../../runtime/exec/loop.js';
import { disposeState } from '../../runtime/exec/state.js';
import { lowerText } from '../compiler/lower-text.js';
import { go, metricsLines, workspace } from '../helpers/run-program.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const member = (index: number, wd: number): MemberState => ({
  index,
  seed: index,
  state: { step: 10, params: { wd: tf.scalar(wd), log_s: tf.scalar(-1) }, opt: {}, helpers: {} },
  cursors: {},
});

const pop = (): MemberState[] => [member(0, 0.1), member(1, 0.2), member(2, 0.3), member(3, 0.4)];

describe('exploit and explore', () => {
  // The metric is named like a loss: the old guess would have called low values best whatever the program said.
  const scores = [0.9, 0.1, 0.5, 0.3];
  it('by highest: the lowest-scoring member copies a highest-scoring one', () => {
    const r = exploitExplore(pop(), scores, { fraction: 0.25, factors: [1], hyper: ['wd'], direction: 'highest', seed: 1 });
    expect(r.events.map((e) => [e.from, e.to])).toEqual([[0, 1]]);
    expect(r.events[0]?.hyper['wd']).toEqual({ old: [expect.closeTo(0.2, 6)], new: [expect.closeTo(0.1, 6)] });
    expect(r.events[0]?.scores).toEqual({ from: 0.9, to: 0.1 });
    r.members.forEach((m) => disposeState(m.state));
  });

  it('by lowest: the highest-scoring member copies the lowest-scoring one', () => {
    const r = exploitExplore(pop(), scores, { fraction: 0.25, factors: [1], hyper: ['wd'], direction: 'lowest', seed: 1 });
    expect(r.events.map((e) => [e.from, e.to])).toEqual([[1, 0]]);
    r.members.forEach((m) => disposeState(m.state));
  });

  it('clamps perturbed values to min/max (a log_ parameter moves by log(factor) first)', () => {
    const r = exploitExplore(pop(), scores, { fraction: 0.5, factors: [100], min: -3, max: 0.25, hyper: ['wd', 'log_s'], direction: 'highest', seed: 2 });
    expect(r.events).toHaveLength(2);
    for (const e of r.events) {
      // wd · 100 clamped to 0.25; log_s = −1 + log 100 ≈ 3.6 clamped to 0.25
      expect(e.hyper['wd']?.new).toEqual([0.25]);
      expect(e.hyper['log_s']?.new).toEqual([0.25]);
    }
    r.members.forEach((m) => disposeState(m.state));
  });
});

const program = `data d = correlated_features(base: 2, copies: 2, noise: 0.3, n: 80, seed: 1)
split d { train: 1/2, reg: 1/2 } seed 0
param w : Tensor[4] = 0
metric gen = mse(x @ w, y) over reg
metric norm_w = norm(w)
population 4 {
  hyper wd : Scalar ~ uniform(0.01, 1)
  loss fit = mse(x @ w, y) + wd * l2(w) over train
  update w by sgd(lr: 0.05) on fit
}
every 4 steps: exploit truncation(0.25) by lowest gen, explore perturb(0.5, 2, min: 0.001, max: 3)
run 16 steps batch 10
report every 4 steps: gen, wd, norm_w
`;

describe('a population run', () => {
  it('knows which way is better only where the program says it', () => {
    const low = lowerText(program);
    expect(Object.fromEntries(directions(low))).toEqual({ fit: 'lowest', gen: 'lowest' });
  });

  it('records every exploit in metrics.jsonl and manifest.json, identically after --resume', async () => {
    const d = workspace({ 'pop.xreg': program });
    const file = path.join(d, 'pop.xreg');
    const whole = path.join(d, 'whole');
    expect((await go({ file, out: whole })).code).toBe(0);
    const out = path.join(d, 'out');
    let steps = 0;
    // members advance one interval at a time: stop inside the second interval, after the first exploit
    const first = await go({ file, out, checkpointEvery: 2 }, { onStep: () => steps++, shouldStop: () => steps >= 22 });
    expect(first.code).toBe(130);
    const second = await go({ file, resume: out, checkpointEvery: 2 });
    expect(second.errors.join('\n')).toBe('');
    expect(second.code).toBe(0);
    const lines = metricsLines;
    const events = lines(whole).filter((r) => r['event'] === 'exploit');
    // 3 exploits (steps 4, 8, 12), one member replaced each time
    expect(events.map((e) => e['step'])).toEqual([4, 8, 12]);
    for (const e of events) {
      const h = (e['hyper'] as Record<string, { old: number[]; new: number[] }>)['wd'];
      expect(h?.new[0]).toBeGreaterThanOrEqual(0.001);
      expect(h?.new[0]).toBeLessThanOrEqual(3);
    }
    expect(lines(out)).toEqual(lines(whole));
    const manifest = (dir: string) => JSON.parse(readFileSync(path.join(dir, 'manifest.json'), 'utf8')) as Record<string, unknown>;
    expect(manifest(whole)['exploits']).toEqual(events.map(({ event: _e, ...rest }) => rest));
    expect(manifest(out)['exploits']).toEqual(manifest(whole)['exploits']);
    // the perturbed wd each member ends with, and "best" only for gen (exploit's metric) and fit
    const results = (dir: string) => manifest(dir)['results'] as { final: Record<string, number>; best: Record<string, number> }[];
    expect(results(out).map((r) => r.final['wd'])).toEqual(results(whole).map((r) => r.final['wd']));
    for (const r of results(whole)) expect(Object.keys(r.best).sort()).toEqual(['gen']);
  });
});
