/**
 * The SRN collapse and its fix, on a tiny classifier and SRN (a short run, not the experiment):
 * under the paper's reading (Softplus head, running z-scores) s_meta sits near −2 while the losses
 * fall, so r ≥ 0 cannot follow it and is pushed towards 0; with the signed head r follows s_meta.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { go, workspace } from '../helpers/run-program.js';

const program = `
data d = digits(path: "${path.resolve('data/digits.csv.gz')}")
split d { train: 0.7, reg: 0.1, test: 0.2 } seed 0
let head = "softplus"
model net(x) = x |> dense(8) |> relu |> dense(10)
model srn(w) = w |> conv1d(4, 9, stride: 8) |> relu |> global_avg_pool |> dense(1)
loss inner = cross_entropy(net(x), y) + risk_head(srn(flat(params(net))), head: head) over train
update params(net) by sgd(lr: 0.05, momentum: 0.9) on inner
metric s_meta = zscore(cross_entropy(net(x), y) over reg) + zscore(inverse_margin(net(x), y) over reg)
update params(srn) by sgd(lr: 0.02) on (risk_head(srn(flat(params(net))), head: head) - s_meta)^2
metric penalty = risk_head(srn(flat(params(net))), head: head)
run 120 steps batch 64
report every 20 steps: penalty, s_meta
`;

const lastRows = async (head: string): Promise<{ penalty: number; s_meta: number }[]> => {
  const dir = workspace({ 'p.xreg': program });
  const out = path.join(dir, 'out');
  const r = await go({ file: path.join(dir, 'p.xreg'), out, set: { head } });
  expect(r.errors.join('\n')).toBe('');
  return readFileSync(path.join(out, 'metrics.jsonl'), 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as { step: number; penalty: number; s_meta: number })
    .filter((q) => q.step >= 60);
};

describe('SRN: the collapse and the signed head', () => {
  it('the softplus head sits at ≈ 0 under a negative s_meta; the signed head tracks it', async () => {
    const paper = await lastRows('softplus');
    const signed = await lastRows('signed');
    const mean = (v: number[]): number => v.reduce((a, b) => a + b, 0) / v.length;
    const miss = (rows: { penalty: number; s_meta: number }[]): number => mean(rows.map((q) => Math.abs(q.penalty - q.s_meta)));
    expect(paper.length).toBe(4);
    expect(mean(paper.map((q) => q.s_meta))).toBeLessThan(-1.5);
    expect(mean(signed.map((q) => q.s_meta))).toBeLessThan(-1.5);
    for (const row of paper) expect(row.penalty).toBeLessThan(0.1);
    expect(miss(paper)).toBeGreaterThan(1.5);
    expect(miss(signed)).toBeLessThan(0.5);
  }, 240_000);
});
