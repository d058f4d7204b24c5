/**
 * The cost of cross-regularization over plain training (§6.4: O(T(1 + K/r))), measured interleaved
 * in one process so that the machine's load hits every variant alike: the lowered rules of
 * crossreg.xreg (K, r varied) and of the same program without its σ rule ("plain": the identical
 * training step) run blocks of 300 steps in turn — 300 is a multiple of every r, so each block
 * holds exactly 300/r firings of `gen` — on fixed batches of the common setting's shapes (64
 * Fashion-MNIST-sized images per split; data loading left out, as it is the same for all).
 *
 *   npx tsx bench/noise/overhead.ts [--rounds 4] [--block 300] [--backend wasm] [--json FILE]
 *
 * Prints, per variant, the time of a block relative to plain's in the same round (median over
 * rounds) beside the paper's 1 + K/r, and the cost of one `gen` firing in training steps.
 */
import * as E from 'fp-ts/lib/Either.js';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { lowerProgram } from '../../compiler/lower/index.js';
import { disposeState, releaseOld } from '../../compiler/lower/release.js';
import type { Batches, LoweredProgram, RunState } from '../../compiler/lower/types.js';
import { BackendRequest, selectBackend } from '../../runtime/backend/select.js';
import { firingRules } from '../../runtime/exec/member.js';
import { standardLibrary } from '../../stdlib/registry.js';
import { compileFile, syntheticBatches } from '../../test/compiler/program-fixtures.js';
import { numberOption, stringOption } from '../gpu/options.js';
import { PROGRAMS } from './runs.js';

interface Variant {
  readonly name: string;
  readonly k: number;
  readonly r: number;
}
const PLAIN: Variant = { name: 'plain', k: 0, r: Number.POSITIVE_INFINITY };
const VARIANTS: readonly Variant[] = [
  PLAIN,
  { name: 'K=3 r=30', k: 3, r: 30 },
  { name: 'K=3 r=10', k: 3, r: 10 },
  { name: 'K=3 r=100', k: 3, r: 100 },
  { name: 'K=1 r=30', k: 1, r: 30 },
  { name: 'K=5 r=30', k: 5, r: 30 },
];

const SIGMA_RULE = 'update noise_scales(net)               by adam(lr: noise_lr) on gen every 30 steps';

/** crossreg.xreg with K and r set (or without its σ rule), written beside a temp copy with absolute imports. */
const variantFile = (dir: string, v: Variant): string => {
  const full = readFileSync(path.join(PROGRAMS, 'crossreg.xreg'), 'utf8');
  // Reports and figures are not timed (and the applied_grad items need the σ rule): cut them off.
  let text = full.slice(0, full.indexOf('run 20 epochs')) + 'run 20 epochs batch 64\n';
  if (!text.includes(SIGMA_RULE)) throw new Error('crossreg.xreg: its σ rule changed; update bench/noise/overhead.ts');
  text = v.k === 0 ? text.replace(SIGMA_RULE, 'freeze noise_scales(net)') : text.replace(SIGMA_RULE, SIGMA_RULE.replace('every 30 steps', `every ${v.r} steps`)).replace('let k = 3', `let k = ${v.k}`);
  const file = path.join(dir, `${v.name.replace(/[^a-z0-9]+/gi, '_')}.xreg`);
  writeFileSync(file, text.replace(/import "([^"]+)"/g, (_m, p: string) => `import "${path.resolve(PROGRAMS, p)}"`));
  return file;
};

const lowered = (file: string): LoweredProgram => {
  const ir = compileFile(file);
  const lw = lowerProgram(ir, standardLibrary, { stepsPerEpoch: 32 });
  if (E.isLeft(lw)) throw new Error(lw.left.map((d) => d.message).join('\n'));
  return lw.right;
};

/**
 * Runs `steps` steps of `p`'s firing rules from `s`; returns the new state, the wall milliseconds
 * and this process's CPU milliseconds (on a shared machine the CPU time is the steadier of the two:
 * time-slicing by other processes stretches the wall time, not the CPU time).
 */
const block = async (p: LoweredProgram, s0: RunState, batches: Batches, steps: number): Promise<{ s: RunState; ms: number; cpu: number }> => {
  let s = s0;
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  for (let k = 0; k < steps; k++) {
    for (const [i, r] of firingRules(p, s.step, 32).entries()) {
      const next = r.step(s, batches, 7919 * s.step + i);
      releaseOld(s, next);
      s = next;
    }
    s = { ...s, step: s.step + 1 };
  }
  // The wasm backend is synchronous, but a read keeps the timing honest on an asynchronous one.
  await Object.values(s.params)[0]?.data();
  const c = process.cpuUsage(c0);
  return { s, ms: performance.now() - t0, cpu: (c.user + c.system) / 1000 };
};

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? (s[m] ?? Number.NaN) : ((s[m - 1] ?? 0) + (s[m] ?? 0)) / 2;
};

const backend = BackendRequest.decode(stringOption('backend') ?? 'wasm');
if (E.isLeft(backend)) throw new Error(`--backend: one of ${Object.keys(BackendRequest.keys).join(', ')}`);
const sel = await selectBackend(backend.right);
if (E.isLeft(sel)) throw new Error(sel.left);
const rounds = numberOption('rounds', 4);
const steps = numberOption('block', 300);
const load0 = readFileSync('/proc/loadavg', 'utf8').trim();
console.log(`timing on ${sel.right.detail}; ${rounds} rounds of ${steps}-step blocks; load ${load0}`);

const dir = mkdtempSync(path.join(os.tmpdir(), 'xreg-overhead-'));
const programs = VARIANTS.map((v) => lowered(variantFile(dir, v)));
const batches = syntheticBatches(compileFile(variantFile(dir, PLAIN)), 64);
let states = programs.map((p) => p.init(1));
// One warm-up block each (kernel compilation, allocator pools).
for (const [i, p] of programs.entries()) states[i] = (await block(p, states[i] as RunState, batches, 30)).s;
const times: number[][] = VARIANTS.map(() => []);
const cpus: number[][] = VARIANTS.map(() => []);
for (let round = 0; round < rounds; round++) {
  // Alternate the order so no variant always runs right after another.
  const order = round % 2 === 0 ? [...programs.keys()] : [...programs.keys()].reverse();
  for (const i of order) {
    const p = programs[i] as LoweredProgram;
    const r = await block(p, states[i] as RunState, batches, steps);
    states[i] = r.s;
    times[i]?.push(r.ms);
    cpus[i]?.push(r.cpu);
  }
  console.log(`round ${round + 1}: ${VARIANTS.map((v, i) => `${v.name} ${((cpus[i]?.at(-1) ?? 0) / steps).toFixed(2)} cpu ms/step (${((times[i]?.at(-1) ?? 0) / steps).toFixed(2)} wall)`).join(', ')}`);
}
const ratiosOf = (xs: readonly number[][], i: number): number[] => (xs[i] ?? []).map((t, j) => t / (xs[0]?.[j] ?? Number.NaN));
const rows = VARIANTS.map((v, i) => {
  const cpuRatios = ratiosOf(cpus, i);
  const ratio = median(cpuRatios);
  const firings = v.k === 0 ? 0 : Math.ceil(steps / v.r);
  // Extra time per firing in units of a plain step: (ratio − 1) · steps / firings.
  const genCost = firings === 0 ? Number.NaN : ((ratio - 1) * steps) / firings;
  return {
    variant: v.name,
    cpu_ms_per_step: median(cpus[i] ?? []) / steps,
    ratio,
    cpu_ratios: cpuRatios,
    wall_ratio: median(ratiosOf(times, i)),
    predicted: v.k === 0 ? 1 : 1 + v.k / v.r,
    gen_cost_in_steps: genCost,
  };
});
const load1 = readFileSync('/proc/loadavg', 'utf8').trim();
console.log(`\n| variant | CPU ms/step (median block) | CPU time / plain (median over rounds; each round) | wall time / plain | paper 1 + K/r | one gen firing, in plain steps |`);
console.log('| --- | --- | --- | --- | --- | --- |');
for (const r of rows)
  console.log(
    `| ${r.variant} | ${r.cpu_ms_per_step.toFixed(2)} | ${r.ratio.toFixed(3)} (${r.cpu_ratios.map((x) => x.toFixed(3)).join(', ')}) | ${r.wall_ratio.toFixed(3)} | ${r.predicted.toFixed(3)} | ${Number.isNaN(r.gen_cost_in_steps) ? '—' : r.gen_cost_in_steps.toFixed(2)} |`,
  );
console.log(`\nload before ${load0}; after ${load1}`);
const json = stringOption('json');
if (json !== undefined) writeFileSync(json, JSON.stringify({ backend: sel.right.detail, rounds, steps, load_before: load0, load_after: load1, rows }, null, 1));
for (const s of states) disposeState(s);
states = [];
for (const b of Object.values(batches)) for (const t of Object.values(b)) t.dispose();
