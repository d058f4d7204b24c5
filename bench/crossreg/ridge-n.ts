/**
 * How far is the ρ·θ rule's rest point from the cross-validated ridge, as a function of the data size?
 * For each n (total examples, split 1/3 each like ridge.xreg) and data seed: the best ridge on a
 * fine λ grid (its ‖w‖ and reg MSE) and the stable rest of the ρ rule (gᵀw = 0 along the path).
 *   npx tsx bench/crossreg/ridge-n.ts [--n 300,600,1200,3000] [--seeds 1,2,3,4,5]
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { logspace, ridgePath } from '../../stdlib/baselines/index.js';
import { restPoints } from './rest-points.js';
import { need, requireSplits } from './splits.js';

const arg = (name: string, dflt: string): number[] => {
  const i = process.argv.indexOf(name);
  return (i >= 0 ? (process.argv[i + 1] ?? dflt) : dflt).split(',').map(Number);
};

const main = async (): Promise<void> => {
  const dir = mkdtempSync(path.join(tmpdir(), 'xreg-rn-'));
  const src = readFileSync('programs/crossreg/ridge_path.xreg', 'utf8');
  console.log('| n | seed | best λ | best ‖w‖ | best reg MSE | rest ‖w‖ | rest reg MSE | gap MSE | gap norm |\n| --- | --- | --- | --- | --- | --- | --- | --- | --- |');
  for (const n of arg('--n', '300,600,1200,3000')) {
    for (const seed of arg('--seeds', '1,2,3,4,5')) {
      const file = path.join(dir, `ridge_${n}_${seed}.xreg`);
      writeFileSync(file, src.replace(/n: \d+, seed: \d+\)/, `n: ${n}, seed: ${seed})`));
      const s = await requireSplits(file);
      const tr = need(s, 'train');
      const rg = need(s, 'reg');
      const p = ridgePath(tr, rg, logspace(-4, 4, 2000));
      const best = p.points[p.best];
      const eye = new Float64Array(tr.d * tr.d).map((_, k) => (k % (tr.d + 1) === 0 ? 1 : 0));
      const rest = restPoints(p, rg, eye).filter((r) => r.reading.startsWith('scale') && r.reading.endsWith('stable'));
      const r = rest.reduce<(typeof rest)[number] | undefined>((acc, x) => (acc === undefined || Math.abs(x.norm - (best?.norm ?? 0)) < Math.abs(acc.norm - (best?.norm ?? 0)) ? x : acc), undefined);
      if (best === undefined) continue;
      const pct = (a: number, b: number): string => `${(((a - b) / b) * 100).toFixed(1)}%`;
      console.log(`| ${n} | ${seed} | ${best.lam.toPrecision(3)} | ${best.norm.toFixed(3)} | ${best.regMse.toFixed(4)} | ${r?.norm.toFixed(3) ?? '—'} | ${r?.regMse.toFixed(4) ?? '—'} | ${r ? pct(r.regMse, best.regMse) : '—'} | ${r ? pct(r.norm, best.norm) : '—'} |`);
    }
  }
};

void main();
