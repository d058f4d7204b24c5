/**
 * Parse time of a generated 5,000-line program: `npx tsx bench/parse-large.ts`.
 * Prints the median of several runs (after warm-up), so that parser changes can be compared.
 */
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { parseProgram } from '../dsl/parse.js';

/** One block of 10 lines using most of the grammar; `i` keeps every name distinct. */
const block = (i: number): string[] => [
  `# block ${i}`,
  `data d${i} = correlated_features(base: 5, copies: 20, noise: 0.1, n: 300, seed: ${i})`,
  `split d${i} { train: 1/3, reg: 1/3, test: 1/3 } seed ${i}`,
  `param theta${i} : Tensor[100] ~ normal(0, 1) on sphere`,
  `fn predict${i}(x) = rho * (x @ theta${i}) + 10^-2.5`,
  `layer block${i}(n) = dense(n) |> layer_norm(affine: false) |> noise(init: -3) |> relu`,
  `model net${i}(x) = x |> flatten |> block${i}(512) |> dense(10)`,
  `loss fit${i} = nll(mean[3] softmax(net${i}(x)), y) over train batch 512`,
  `update params(net${i}) - noise_scales(net${i}) by adam(lr: 1e-4) on fit${i} every 30 steps from step 100`,
  `metric m${i} = zscore(cross_entropy(deterministic net${i}(x), y) over reg) + 1.0 * l2(theta${i})`,
];

const lines: string[] = [];
for (let i = 0; lines.length < 5000; i++) lines.push(...block(i));
const text = lines.join('\n');

const time = (): number => {
  const t0 = performance.now();
  const r = parseProgram(text, 'large.xreg');
  const ms = performance.now() - t0;
  if (r.diagnostics.length > 0) {
    process.stderr.write(`unexpected diagnostics: ${r.diagnostics[0]?.message ?? ''}\n`);
    process.exitCode = 1;
  }
  return ms;
};

for (let i = 0; i < 2; i++) time();
const runs = Array.from({ length: 7 }, time).sort((a, b) => a - b);
const median = runs[Math.floor(runs.length / 2)] ?? Number.NaN;
process.stdout.write(
  `parseProgram: ${lines.length} lines, ${text.length} chars: median ${median.toFixed(1)} ms over ${runs.length} runs ` +
    `(min ${runs[0]?.toFixed(1)} ms, max ${runs[runs.length - 1]?.toFixed(1)} ms); ` +
    `loadavg ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')}\n`,
);
