/**
 * xreg against its peers, in one sitting: `npx tsx bench/peers/run.ts [--rounds 3] [--steps 200]`.
 * Each round measures, one after another (so load changes hit every contender of the round):
 *
 * - the MLP step (784-256-256-10, ReLU, batch 128, Adam, cross-entropy; Fashion-MNIST for xreg) in
 *   xreg (`xreg run`'s own step loop, timed between steps), by hand in TensorFlow.js (same backend:
 *   wasm, with the threads `xreg run` gives a process training alone, XREG_WASM_THREADS where set),
 *   and in PyTorch on the CPU at 1 thread and at all threads
 *   (bench/peers/torch_step.py; skipped with a message where PyTorch is missing);
 * - the conv step (conv 3×3×32 same, ReLU, max pool 2, dense 10) likewise;
 * - `programs/noise/crossreg_noise.xreg` against the same program with σ frozen (its `update
 *   noise_scales` line removed), mean time per step over whole 30-step periods of ρ updates;
 * - a population of 20 (`programs/noise/pbt.xreg`) on all cores (`--workers`) against the same
 *   network as one model, per epoch of the program as written (bench/peers/population.ts: whole
 *   `xreg run`s of 1 and 2 epochs, needs `npm run build`).
 *
 * Prints the medians over rounds, the ratios the issue sets targets for, and the load average.
 * Needs Fashion-MNIST (`apt-get install dataset-fashion-mnist`).
 */
import * as tf from '@tensorflow/tfjs-core';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import * as path from 'node:path';
import { renderAll } from '../../cli/commands/run.js';
import { applyWasmThreadsDefault } from '../../cli/commands/wasm-threads-default.js';
import { runProgram } from '../../runtime/run.js';
import { standardLibrary } from '../../stdlib/registry.js';
import { intOption, loadAverage, median, oneThreadEach } from '../stats.js';
import { populationRound } from './population.js';

const cores = availableParallelism();
// The population's runs keep one thread per process unless the user set XREG_WASM_THREADS, so their
// environment is taken before this process's own default goes into process.env.
const populationEnv = oneThreadEach();
// The step as `xreg run` takes it: one process training alone gets every core's thread unless
// XREG_WASM_THREADS says otherwise. Set before the first run selects the backend.
applyWasmThreadsDefault(process.env, cores, 1);
const rounds = intOption('rounds', 3);
/** `--only-steps`: the MLP and conv comparisons alone (minutes instead of the population's hour). */
const onlySteps = process.argv.includes('--only-steps');
/** `--only-population`: the population comparison alone. */
const onlyPopulation = process.argv.includes('--only-population');
/** `--only-noise`: crossreg_noise against σ frozen alone. */
const onlyNoise = process.argv.includes('--only-noise');
/**
 * Steps timed per round. A round of 40 MLP steps lasts 0.1 s, and one slow stretch moved a round's
 * median by a third (bench/README.md): 200 hold still.
 */
const steps = intOption('steps', 200);
const warmup = 5;
const scratch = mkdtempSync(path.join(tmpdir(), 'xreg-peers-'));
const load = loadAverage;

const program = (model: string): string => `seed 0
data d = fashion_mnist()
split d { train: 1 } seed 0
model net(x) = ${model}
loss fit = cross_entropy(net(x), y) over train batch 128
update params(net) by adam(lr: 1e-3) on fit
run 1000 steps batch 128
report every 1 epoch: fit
`;
const MLP = 'x |> flatten |> dense(256) |> relu |> dense(256) |> relu |> dense(10)';
const CONV = 'x |> conv2d(32, 3) |> relu |> max_pool(size: 2) |> flatten |> dense(10)';

let runs = 0;
/** Runs `text` for `n` steps (of every member) through `xreg run`; the times between steps, in ms. */
const xregStepTimes = async (text: string, n: number, file = 'p.xreg'): Promise<number[]> => {
  const dir = path.join(scratch, `run${runs++}`);
  const f = path.join(scratch, file);
  writeFileSync(f, text);
  const stamps: number[] = [];
  const errors: string[] = [];
  const code = await runProgram(
    { file: f, registry: standardLibrary, set: {}, checkpointEvery: 1_000_000, argv: ['bench'], steps: n, out: dir, backend: 'wasm', evalLimit: 1000 },
    { info: () => undefined, error: (l) => void errors.push(l), renderDiagnostics: renderAll, onStep: () => void stamps.push(performance.now()) },
  );
  if (code !== 0) throw new Error(`xreg run failed: ${errors.join('\n')}`);
  return stamps.slice(1).map((t, i) => t - (stamps[i] ?? t));
};

/** The same step written by hand in TensorFlow.js on the backend xreg chose. */
const handStep = (kind: 'mlp' | 'conv'): (() => void) => {
  const glorot = (shape: number[], fanIn: number, fanOut: number): tf.Variable => {
    const limit = Math.sqrt(6 / (fanIn + fanOut));
    return tf.variable(tf.randomUniform(shape, -limit, limit, 'float32', 7));
  };
  const vars =
    kind === 'mlp'
      ? [glorot([784, 256], 784, 256), tf.variable(tf.zeros([256])), glorot([256, 256], 256, 256), tf.variable(tf.zeros([256])), glorot([256, 10], 256, 10), tf.variable(tf.zeros([10]))]
      : [glorot([3, 3, 1, 32], 9, 288), tf.variable(tf.zeros([32])), glorot([32 * 14 * 14, 10], 6272, 10), tf.variable(tf.zeros([10]))];
  const opt = tf.train.adam(1e-3);
  const x = tf.randomNormal([128, 28, 28, 1], 0, 1, 'float32', 1);
  const labels = tf.oneHot(tf.randomUniform([128], 0, 10, 'int32', 2), 10);
  const forward = (): tf.Tensor => {
    const [a, b, c, d, e, f] = vars as [tf.Variable, tf.Variable, tf.Variable, tf.Variable, tf.Variable?, tf.Variable?];
    if (kind === 'mlp' && e !== undefined && f !== undefined) {
      const h1 = tf.relu(tf.add(tf.matMul(tf.reshape(x, [128, 784]), a), b));
      const h2 = tf.relu(tf.add(tf.matMul(h1, c), d));
      return tf.add(tf.matMul(h2, e), f);
    }
    const h = tf.maxPool(tf.relu(tf.add(tf.conv2d(x as tf.Tensor4D, a as tf.Tensor4D, 1, 'same'), b)) as tf.Tensor4D, 2, 2, 'valid');
    return tf.add(tf.matMul(tf.reshape(h, [128, 32 * 14 * 14]), c), d);
  };
  return () => {
    const cost = opt.minimize(() => tf.losses.softmaxCrossEntropy(labels, forward()) as tf.Scalar, true);
    cost?.dataSync();
    cost?.dispose();
  };
};

const handTimes = (step: () => void, n: number): number[] => {
  for (let i = 0; i < warmup; i++) step();
  return Array.from({ length: n }, () => {
    const t0 = performance.now();
    step();
    return performance.now() - t0;
  });
};

// Debian's python3-torch lives under /usr/bin/python3; a `python3` earlier on PATH (pyenv) may lack it.
const pythons = ['python3', '/usr/bin/python3'];
const torch = (kind: 'mlp' | 'conv', threads: number): number | string => {
  let why = 'skip: no python3';
  for (const py of pythons) {
    const r = spawnSync(py, [path.join(import.meta.dirname, 'torch_step.py'), kind, String(threads), String(steps), String(warmup)], { encoding: 'utf8' });
    const out = (r.stdout ?? '').trim();
    if (r.status !== 0 || out === '') why = `skip: ${py} failed (${(r.stderr ?? '').trim().split('\n').pop() ?? ''})`;
    else if (out.startsWith('skip:')) why = `${out} (${py})`;
    else return Number(out);
  }
  return why;
};

const noiseText = readFileSync('programs/noise/crossreg_noise.xreg', 'utf8').replace('import "../lib/blocks.xreg"', `import "${path.resolve('programs/lib/blocks.xreg')}"`);
const frozenText = noiseText.replace(/^update noise_scales\(net\).*$/m, 'freeze noise_scales(net)');

const results = new Map<string, number[]>();
const skips = new Map<string, string>();
const note = (name: string, v: number | string): void => {
  // Each figure as it comes (stderr), so an interrupted sitting still leaves its numbers.
  console.error(`${name}: ${typeof v === 'number' ? v.toFixed(2) : v} (load ${load()})`);
  if (typeof v === 'string') skips.set(name, v);
  else results.set(name, [...(results.get(name) ?? []), v]);
};
const mean = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);

const loadBefore = load();
for (let r = 0; r < rounds; r++) {
  for (const kind of onlyPopulation || onlyNoise ? [] : (['mlp', 'conv'] as const)) {
    note(`${kind} xreg`, median((await xregStepTimes(program(kind === 'mlp' ? MLP : CONV), steps + warmup)).slice(warmup)));
    note(`${kind} tfjs by hand`, median(handTimes(handStep(kind), steps)));
    note(`${kind} pytorch 1 thread`, torch(kind, 1));
    note(`${kind} pytorch ${cores} threads`, torch(kind, cores));
  }
  if (onlySteps) continue;
  if (!onlyPopulation) {
    // Whole ρ periods (every 30 steps), after a first period of warm-up.
    note('crossreg_noise', mean((await xregStepTimes(noiseText, 90, 'noise.xreg')).slice(29)));
    note('crossreg_noise σ frozen', mean((await xregStepTimes(frozenText, 90, 'frozen.xreg')).slice(29)));
  }
  if (onlyNoise) {
    console.error(`round ${r + 1}/${rounds} done; load average ${load()}`);
    continue;
  }
  // Per epoch, as the program reports and exploits (an epoch holds as many steps for both), in ms
  // per step so that the table reads alike.
  const pop = populationRound({ bin: path.resolve('bin/xreg.js'), workers: cores, scratch: path.join(scratch, `pop${r}`), env: populationEnv, log: (l) => console.error(l) });
  note(`population of 20 on ${cores} workers (per step of all members)`, (1000 * pop.population) / pop.spe);
  note('one model', (1000 * pop.one) / pop.spe);
  console.error(`round ${r + 1}/${rounds} done; load average ${load()}`);
}
rmSync(scratch, { recursive: true, force: true });

const m = (name: string): number => median((results.get(name) ?? []).filter(Number.isFinite));
console.log(`bench/peers: ${rounds} rounds, ${steps} timed steps each; backend ${tf.getBackend()}, XREG_WASM_THREADS=${process.env['XREG_WASM_THREADS'] ?? ''}; node ${process.version}; ${cores} cores`);
console.log(`load average: ${loadBefore} before, ${load()} after`);
console.log('| measurement | median ms per step |');
console.log('|---|---:|');
for (const name of results.keys()) console.log(`| ${name} | ${m(name).toFixed(2)} |`);
for (const [name, why] of skips) console.log(`| ${name} | ${why} |`);
const ratio = (a: string, b: string, target: number): string => {
  const v = m(a) / m(b);
  return `| ${a} / ${b} | ${Number.isFinite(v) ? v.toFixed(2) : 'n/a'} | ≤ ${target} | ${Number.isFinite(v) ? (v <= target ? 'met' : 'not met') : '—'} |`;
};
console.log('\n| ratio | value | target | |');
console.log('|---|---:|---:|---|');
console.log(ratio('mlp xreg', `mlp pytorch ${cores} threads`, 1.3));
console.log(ratio('mlp xreg', 'mlp tfjs by hand', 1.05));
console.log(ratio('mlp xreg', 'mlp pytorch 1 thread', 1.3));
console.log(ratio('conv xreg', `conv pytorch ${cores} threads`, 1.3));
console.log(ratio('conv xreg', 'conv tfjs by hand', 1.05));
console.log(ratio('crossreg_noise', 'crossreg_noise σ frozen', 1.1));
console.log(ratio(`population of 20 on ${cores} workers (per step of all members)`, 'one model', 11));
