/**
 * The MLP step of `xreg run` in two (or more) checkouts, interleaved round by round in one sitting:
 * a before/after figure for a change to the step's kernels. Each measurement is its own process
 * (bench/step-child.ts; the wasm backend starts once per process), with XREG_WASM_THREADS as given.
 *
 *   npx tsx bench/step-trees.ts --trees /path/before,/path/after [--rounds 4] [--steps 300] [--threads 1,2]
 *
 * A checkout needs its node_modules (a symbolic link to this one's will do) and Fashion-MNIST.
 * Prints each round (median and quartile ms between steps, CPU ms per step) and the medians over
 * the rounds, with the load average.
 */
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { intOption, loadAverage, median } from './stats.js';

const arg = (name: string, fallback: string): string => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? (process.argv[i + 1] ?? fallback) : fallback;
};
const root = path.join(import.meta.dirname, '..');
const trees = arg('trees', root).split(',').map((t) => path.resolve(t));
const threads = arg('threads', '1').split(',').map(Number);
const rounds = intOption('rounds', 4);
const steps = intOption('steps', 300);

interface Times {
  readonly median: number;
  readonly p25: number;
  readonly cpuPerStep: number;
}
const measure = (tree: string, n: number): Times => {
  const out = execFileSync(process.execPath, ['--import', 'tsx', path.join(root, 'bench', 'step-child.ts'), tree, String(steps)], {
    cwd: tree,
    env: { ...process.env, XREG_WASM_THREADS: String(n) },
    encoding: 'utf8',
  });
  const line = out.split('\n').find((l) => l.startsWith('{'));
  if (line === undefined) throw new Error(`no timing from ${tree}: ${out}`);
  return JSON.parse(line) as Times;
};
const seen = new Map<string, Times[]>();
console.log(`load average before: ${loadAverage()}`);
for (let r = 0; r < rounds; r++)
  for (const n of threads)
    // Alternate the order, so that neither tree always meets the same moment of the load.
    for (const tree of r % 2 === 0 ? trees : [...trees].reverse()) {
      const t = measure(tree, n);
      const key = `${path.relative(process.cwd(), tree) || '.'} | ${n}`;
      seen.set(key, [...(seen.get(key) ?? []), t]);
      console.log(`round ${r + 1}: ${key} thread(s): ${t.median.toFixed(2)} ms a step (quartile ${t.p25.toFixed(2)}), ${t.cpuPerStep.toFixed(2)} CPU ms; load ${loadAverage()}`);
    }
console.log(`\nMLP step of xreg run, ${rounds} rounds of ${steps} steps; node ${process.version}; load average after: ${loadAverage()}`);
console.log('| tree | threads | median ms a step (rounds) | median CPU ms a step |');
console.log('|---|---:|---|---:|');
for (const [key, ts] of seen) console.log(`| ${key} | ${median(ts.map((t) => t.median)).toFixed(2)} (${ts.map((t) => t.median.toFixed(2)).join(', ')}) | ${median(ts.map((t) => t.cpuPerStep)).toFixed(2)} |`);
