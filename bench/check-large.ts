/**
 * The whole of `xreg check` on a generated 5,000-line program that compiles and lowers clean:
 * `npx tsx bench/check-large.ts [LINES...]` (default 5000; `1250 2500 5000` shows how the time
 * grows). Prints, per size, the median (of 7, after 2 warm-up runs) of parsing, compiling,
 * lowering (`loweringDiagnostics`, as `xreg check` does) and all three, the CPU time of compiling
 * and of lowering (less disturbed by other processes than wall time), and the machine's load
 * average (wall times mean little on a busy machine).
 */
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { loweringDiagnostics } from '../cli/check.js';
import { compileProgram } from '../compiler/compile.js';
import { parseProgram } from '../dsl/parse.js';

/** One data set and split for the whole program; ten lines per block, every name distinct. */
const header = [
  'data d = correlated_features(base: 5, copies: 2, noise: 0.1, n: 300, seed: 1)',
  'split d { train: 1/3, reg: 1/3, test: 1/3 } seed 0',
];

const block = (i: number): string[] => [
  `# block ${i}`,
  `param theta${i} : Tensor[10] ~ normal(0, 1) on sphere`,
  `param rho${i} : Scalar = 1`,
  `fn predict${i}(x) = rho${i} * (x @ theta${i}) + 10^-2.5`,
  `model net${i}(x) = x |> dense(8) |> layer_norm(affine: false) |> relu |> dense(1)`,
  `loss fit${i} = mse(predict${i}(x), y) + mse(mean[2] net${i}(x), y) over train batch 50`,
  `loss gen${i} = mse(predict${i}(x), y) over reg`,
  `update theta${i} by adam(lr: 1e-2) on fit${i} every 1 steps from step 10`,
  `update params(net${i}) by adam(lr: 1e-3) on fit${i}`,
  `update rho${i} by sgd(lr: 0.02) on gen${i} allow reg`,
];

export const largeProgram = (lineCount: number): string => {
  const lines = [...header];
  for (let i = 0; lines.length + 10 < lineCount; i++) lines.push(...block(i));
  while (lines.length < lineCount - 1) lines.push(`# padding to ${lineCount} lines`);
  lines.push('run 1000 steps');
  return lines.join('\n');
};

const median = (xs: readonly number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;

const cpuMs = (u: NodeJS.CpuUsage): number => (u.user + u.system) / 1000;

const measure = (lines: number): boolean => {
  const text = largeProgram(lines);
  const lineCount = text.split('\n').length;
  const parseMs: number[] = [];
  const compileMs: number[] = [];
  const compileCpuMs: number[] = [];
  const lowerMs: number[] = [];
  const lowerCpuMs: number[] = [];
  const totalMs: number[] = [];
  for (let run = 0; run < 9; run++) {
    const t0 = performance.now();
    const parsed = parseProgram(text, 'large.xreg');
    const t1 = performance.now();
    const c0 = process.cpuUsage();
    const compiled = compileProgram(parsed.program);
    const c1 = process.cpuUsage(c0);
    const t2 = performance.now();
    const l0 = process.cpuUsage();
    const lowered = compiled.ir === undefined ? [] : loweringDiagnostics(compiled.ir);
    const l1 = process.cpuUsage(l0);
    const t3 = performance.now();
    const problems = [...parsed.diagnostics, ...compiled.diagnostics, ...lowered];
    if (problems.length > 0) {
      const d = problems[0];
      process.stderr.write(`not clean: ${problems.length} diagnostics, first ${d?.code} ${d?.message} at line ${d?.span.start.line}\n`);
      process.exitCode = 1;
      return false;
    }
    if (run < 2) continue;
    parseMs.push(t1 - t0);
    compileMs.push(t2 - t1);
    compileCpuMs.push(cpuMs(c1));
    lowerMs.push(t3 - t2);
    lowerCpuMs.push(cpuMs(l1));
    totalMs.push(t3 - t0);
  }
  const load = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  const f = (xs: readonly number[]): string => `${median(xs).toFixed(1)} ms`;
  process.stdout.write(
    `check: ${lineCount} lines, ${text.length} chars, median of ${totalMs.length}: ` +
      `parse ${f(parseMs)}, compile ${f(compileMs)} (cpu ${f(compileCpuMs)}), lower ${f(lowerMs)} (cpu ${f(lowerCpuMs)}), ` +
      `total ${f(totalMs)} ` +
      `(total min ${Math.min(...totalMs).toFixed(1)}, max ${Math.max(...totalMs).toFixed(1)}); loadavg ${load}\n`,
  );
  return true;
};

const main = (): void => {
  const sizes = process.argv.slice(2).map(Number);
  for (const n of sizes.length > 0 ? sizes : [5000]) {
    if (!Number.isInteger(n) || n < 20) {
      process.stderr.write(`not a line count: ${n}\n`);
      process.exitCode = 2;
      return;
    }
    if (!measure(n)) return;
  }
};

// imported for its generator (largeProgram), it measures nothing
if (process.argv[1]?.includes('check-large') === true) main();
