/**
 * The combined figures of docs/results-noise.md that no single run draws (each run's own figures
 * come from `xreg plot runs/noise/<run>`):
 *   growing-total-sigma.svg  total σ over steps of every growing-data seed (growth at step 315)
 *   augment-magnitudes.svg   learned |α| / α₀ over steps, mean over seeds, per augmentation
 *
 *   npx tsx bench/noise/figures.ts [OUT=runs/noise] [DEST=docs/results-noise]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { linesChart, type Series } from '../../runtime/plot/lines.js';
import { logSigmas, num, rowsOf } from './read.js';
import { SEEDS } from './runs.js';

const [root = 'runs/noise', dest = 'docs/results-noise'] = process.argv.slice(2);
mkdirSync(dest, { recursive: true });

const START_TOTAL = 3 * Math.exp(-3);
const growth: Series[] = SEEDS.map((seed) => ({
  name: `seed ${seed}`,
  points: [{ x: 0, y: START_TOTAL }, ...rowsOf(path.join(root, `growing-s${seed}`)).map((r) => ({ x: r.step, y: logSigmas(r).reduce((a, l) => a + Math.exp(l), 0) }))],
})).filter((s) => s.points.length > 1);
if (growth.length > 0) {
  writeFileSync(
    path.join(dest, 'growing-total-sigma.svg'),
    await linesChart({
      title: 'Total σ (sum over the 3 blocks) with growing data',
      subtitle: '400 training images for 45 epochs (steps 0–315), then all 2,000 for 10 epochs (steps 315–635)',
      xLabel: 'step',
      yLabel: 'total σ',
      series: growth,
    }),
  );
}

const AUG = [
  ['translate', 1],
  ['rotate', 5],
  ['shear', 0.1],
] as const;
const augRuns = SEEDS.map((seed) => rowsOf(path.join(root, `aug-learned-s${seed}`))).filter((rs) => rs.length > 0);
if (augRuns.length > 0) {
  const steps = [...new Set(augRuns.flatMap((rs) => rs.map((r) => r.step)))].sort((a, b) => a - b);
  const series: Series[] = AUG.map(([k, a0]) => ({
    name: `${k} (α₀ = ${a0})`,
    points: [
      { x: 0, y: 1 },
      ...steps.map((step) => {
        const vs = augRuns.map((rs) => Math.abs(num(rs.find((r) => r.step === step), `net.augment.${k}.magnitude`)) / a0).filter(Number.isFinite);
        return { x: step, y: vs.reduce((a, b) => a + b, 0) / Math.max(1, vs.length) };
      }),
    ],
  }));
  writeFileSync(
    path.join(dest, 'augment-magnitudes.svg'),
    await linesChart({ title: 'Learned augmentation magnitudes |α| / α₀', subtitle: `mean over ${augRuns.length} seeds; cross-reg every 30 steps on the reg split`, xLabel: 'step', yLabel: '|α| / α₀', series }),
  );
}
console.log(`figures written to ${dest}`);
