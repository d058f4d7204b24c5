// The wasm backend with 1 thread against XREG_WASM_THREADS=N (runtime/backend/wasm-threads.ts):
// the MLP step and one 512x784·784x256 product, each setting in its own process (the backend
// starts once per process), the settings alternating round by round so that load changes hit
// both alike. Prints per round and the medians, with the load average before and after.
// Run: npx tsx bench/wasm-threads.ts [--rounds 4] [--threads 2] [--steps 30]
import { execFileSync } from 'node:child_process';
import { loadavg } from 'node:os';
import * as path from 'node:path';
import { intOption } from './wasm-timing.js';

const rounds = intOption('rounds', 4);
const threads = intOption('threads', 2);
const steps = intOption('steps', 30);
const load = (): string => loadavg().map((x) => x.toFixed(2)).join(' ');

interface Times {
  readonly detail: string;
  readonly mlp: number;
  readonly matMul: number;
}

const child = (n: number): Times => {
  const out = execFileSync(process.execPath, ['--import', 'tsx', path.join(import.meta.dirname, 'wasm-threads-child.ts'), String(steps)], {
    env: { ...process.env, XREG_WASM_THREADS: String(n) },
    encoding: 'utf8',
  });
  const line = out.split('\n').find((l) => l.startsWith('{'));
  if (line === undefined) throw new Error(`no timing from the child: ${out}`);
  return JSON.parse(line) as Times;
};

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? (s[m] ?? NaN) : ((s[m - 1] ?? NaN) + (s[m] ?? NaN)) / 2;
};

const before = load();
const got = new Map<number, Times[]>([
  [1, []],
  [threads, []],
]);
for (let r = 0; r < rounds; r++) {
  for (const n of r % 2 === 0 ? [1, threads] : [threads, 1]) {
    const t = child(n);
    got.get(n)?.push(t);
    console.log(`round ${r + 1}, ${t.detail}: MLP step ${t.mlp.toFixed(2)} ms, matMul ${t.matMul.toFixed(2)} ms (load ${load()})`);
  }
}
const one = got.get(1) ?? [];
const many = got.get(threads) ?? [];
const m = (xs: Times[], k: 'mlp' | 'matMul'): number => median(xs.map((x) => x[k]));
console.log(`\nmedians of ${rounds} processes each (each the median of ${steps} steps); load average ${before} before, ${load()} after`);
console.log(`| what | 1 thread ms | ${threads} threads ms | speed-up |`);
console.log('|---|---:|---:|---:|');
for (const [k, name] of [
  ['mlp', 'MLP step 784-256-256-10, batch 128, Adam'],
  ['matMul', 'matMul 512x784·784x256'],
] as const) {
  console.log(`| ${name} | ${m(one, k).toFixed(2)} | ${m(many, k).toFixed(2)} | ${(m(one, k) / m(many, k)).toFixed(2)}x |`);
}
