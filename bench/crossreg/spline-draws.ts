/**
 * The learned smoothness of spline.xreg over other data draws: for each data seed, the program is
 * run through the real runtime (`runProgram`) and compared with the cross-validated optimum of the
 * same splits (the float64 penalized spline on a 1500-λ grid).
 *   npx tsx bench/crossreg/spline-draws.ts [--seeds 0,1,...,9] [--sigma 0.1] [--program programs/crossreg/spline.xreg]
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { runProgram } from '../../runtime/run.js';
import { standardLibrary } from '../../stdlib/registry.js';
import { bestPoint, logspace, splinePath, splineProblem, type Problem } from '../../stdlib/baselines/index.js';
import { need, requireSplits } from './splits.js';

const argOf = (name: string): string | undefined => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const seeds = (argOf('--seeds') ?? '0,1,2,3,4,5,6,7,8,9').split(',').map(Number);
const program = argOf('--program') ?? 'programs/crossreg/spline.xreg';
const sigma = argOf('--sigma');
const BASIS = { knots: 15, degree: 3, kind: 'integral' as const };

const lastRow = (out: string): Record<string, number> => {
  const lines = readFileSync(path.join(out, 'metrics.jsonl'), 'utf8').split('\n').filter((l) => l.trim() !== '');
  return JSON.parse(lines.at(-1) ?? '{}') as Record<string, number>;
};

const main = async (): Promise<void> => {
  const dir = mkdtempSync(path.join(tmpdir(), 'xreg-spline-draws-'));
  const src = readFileSync(program, 'utf8');
  console.log('| data seed | CV λ | CV roughness | CV reg MSE | learned roughness | learned reg MSE | gap reg MSE |\n| --- | --- | --- | --- | --- | --- | --- |');
  const gaps: number[] = [];
  for (const seed of seeds) {
    const file = path.join(dir, `spline_${seed}.xreg`);
    const text = src.replace(/(spline_samples\([^)]*seed: )\d+/, `$1${seed}`);
    writeFileSync(file, sigma === undefined ? text : text.replace(/(spline_samples\([^)]*sigma: )[0-9.e-]+/, `$1${sigma}`));
    const out = path.join(dir, `run_${seed}`);
    const code = await runProgram(
      { registry: standardLibrary, file, out, set: {}, checkpointEvery: 1e12, argv: ['spline-draws'] },
      { info: () => undefined, error: (l) => console.error(l), renderDiagnostics: (ds) => ds.map((d) => d.message).join('\n') },
    );
    if (code !== 0) throw new Error(`seed ${seed}: run failed (${code})`);
    const s = await requireSplits(file);
    const sp = (k: string): Problem => splineProblem(need(s, k).x, need(s, k).y, BASIS);
    const best = bestPoint(splinePath(sp('train'), sp('reg'), logspace(-8, 2, 1500), BASIS));
    const r = lastRow(out);
    if (best === undefined) continue;
    const gap = ((r['gen'] ?? NaN) - best.regMse) / best.regMse;
    gaps.push(gap);
    console.log(`| ${seed} | ${best.lam.toPrecision(3)} | ${best.norm.toPrecision(3)} | ${best.regMse.toPrecision(4)} | ${(r['rough'] ?? NaN).toPrecision(3)} | ${(r['gen'] ?? NaN).toPrecision(4)} | ${(gap * 100).toFixed(1)}% |`);
  }
  const sorted = [...gaps].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)] ?? NaN;
  console.log(`\nwithin 5%: ${gaps.filter((g) => g < 0.05).length} of ${gaps.length}; median gap ${(median * 100).toFixed(1)}%`);
};

void main();
