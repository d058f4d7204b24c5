/**
 * The cost of naming a failing expression (compiler/lower/located.ts: a `try` around each compiled
 * node's own operation) on a training step, interleaved in one process: this tree's compiler and
 * runtime against another checkout's (`--before`, one without it), both on the same TensorFlow.js
 * engine and backend.
 *
 *   npx tsx bench/located-step.ts --before DIR [--blocks 12] [--backend wasm]
 *
 * (DIR: e.g. `git archive <commit> | tar -x -C DIR`, with DIR/node_modules a link to this tree's and
 * DIR/../shared the shared data.) On two programs: the ridge program (tiny tensors, where per-node
 * overhead is the largest share of a step) and the small noise study's plain MLP (Fashion-MNIST,
 * batch 64). Blocks of steps alternate between the two sides; each side's step time is the median
 * over its blocks, in CPU time of this process (user + system: on a shared, loaded machine wall time
 * mostly measures the other processes). Prints both, the ratio after/before per block pair, and the
 * load average. Then the cost of one located node on its own (`at` around an addition of two numbers,
 * against the bare addition, in a loop of 2·10^7) and the located nodes in each program's rule
 * losses: their product bounds what locating adds to a step, below what block timings can resolve.
 */
import { uniformClock } from '../compiler/lower/clock.js';
import * as E from 'fp-ts/lib/Either.js';
import { loadavg } from 'node:os';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { MemberState, RunContext } from '../runtime/exec/member.js';
import type { IRExpr } from '../compiler/ir.js';

const arg = (name: string): string | undefined => {
  const i = process.argv.indexOf(`--${name}`);
  return i < 0 ? undefined : process.argv[i + 1];
};
const here = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const before = arg('before');
if (before === undefined) throw new Error('usage: npx tsx bench/located-step.ts --before DIR [--blocks 12] [--backend wasm]');
const blocks = Number(arg('blocks') ?? 12);
const backend = (arg('backend') ?? 'wasm') as 'wasm' | 'cpu';

const PROGRAMS: readonly { readonly file: string; readonly steps: number }[] = [
  { file: 'programs/crossreg/ridge.xreg', steps: 300 },
  { file: 'programs/noise/small/plain.xreg', steps: 8 },
];

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? Number.NaN;
};

/** One side: a tree's own compiler, lowering, data and step, for one program. */
interface Side {
  readonly step: (m: MemberState) => MemberState;
  readonly fresh: () => MemberState;
  /** Nodes with a located operation in the rules' losses (each rule evaluates its loss once a step). */
  readonly located: number;
}

const LOCATED = new Set(['call', 'layer', 'binary', 'neg', 'reshape', 'stateful', 'flatParams']);

const load = async <T,>(root: string, file: string): Promise<T> => (await import(pathToFileURL(path.join(root, file)).href)) as T;

const side = async (root: string, file: string): Promise<Side> => {
  const { compileText } = await load<typeof import('../compiler/compile.js')>(root, 'compiler/compile.ts');
  const { lowerProgram } = await load<typeof import('../compiler/lower/index.js')>(root, 'compiler/lower/index.ts');
  const { standardLibrary } = await load<typeof import('../stdlib/registry.js')>(root, 'stdlib/registry.ts');
  const { readTextSync } = await load<typeof import('../cli/check.js')>(root, 'cli/check.ts');
  const { prepareData } = await load<typeof import('../runtime/exec/data.js')>(root, 'runtime/exec/data.ts');
  const { stepsPerEpoch } = await load<typeof import('../runtime/exec/schedule.js')>(root, 'runtime/exec/schedule.ts');
  const { reportPlan } = await load<typeof import('../runtime/exec/loop.js')>(root, 'runtime/exec/loop.ts');
  const { freshMember, runStep } = await load<typeof import('../runtime/exec/member.js')>(root, 'runtime/exec/member.ts');
  const full = path.join(root, file);
  const text = readTextSync(full);
  if (E.isLeft(text)) throw new Error(text.left);
  const c = compileText(text.right, full, { readFile: readTextSync, registry: standardLibrary });
  if (c.ir === undefined) throw new Error(`${full}: ${c.diagnostics.map((d) => d.message).join('; ')}`);
  const data = await prepareData(c.ir, standardLibrary);
  if (E.isLeft(data)) throw new Error(`${full}: ${JSON.stringify(data.left)}`);
  const spe = stepsPerEpoch(data.right.main.size, c.ir.run.batch);
  const lowered = lowerProgram(c.ir, standardLibrary, { stepsPerEpoch: spe });
  if (E.isLeft(lowered)) throw new Error(`${full}: ${lowered.left.map((d) => d.message).join('; ')}`);
  const p = lowered.right;
  const total = 1_000_000;
  // No divergence check: it is the same code on both sides and reads back every step.
  const ctx: RunContext = { program: p, data: data.right, clock: uniformClock(spe), total, report: reportPlan(p, total), multi: false, watchFinite: false };
  const { children } = await load<typeof import('../compiler/ir.js')>(root, 'compiler/ir.ts');
  const count = (e: IRExpr): number => (LOCATED.has(e.kind) ? 1 : 0) + children(e).reduce((a, x) => a + count(x), 0);
  const located = p.rules.reduce((a, r) => a + count(r.ir.loss), 0);
  return { step: (m) => runStep(ctx, m).member, fresh: () => freshMember(p, 0, 1), located };
};

const { selectBackend } = await load<typeof import('../runtime/backend/select.js')>(here, 'runtime/backend/select.ts');
const chosen = await selectBackend(backend);
if (E.isLeft(chosen)) throw new Error(chosen.left);
const load0 = loadavg()[0] ?? 0;
for (const prog of PROGRAMS) {
  const sides = { before: await side(before, prog.file), after: await side(here, prog.file) };
  const members = { before: sides.before.fresh(), after: sides.after.fresh() };
  const ms: Record<'before' | 'after', number[]> = { before: [], after: [] };
  // One warm-up block each (kernels compiled, caches filled), then alternating timed blocks.
  for (let b = -1; b < blocks; b++) {
    const order: readonly ('before' | 'after')[] = b % 2 === 0 ? ['before', 'after'] : ['after', 'before'];
    for (const k of order) {
      const c0 = process.cpuUsage();
      for (let i = 0; i < prog.steps; i++) members[k] = sides[k].step(members[k]);
      const c = process.cpuUsage(c0);
      if (b >= 0) ms[k].push((c.user + c.system) / 1000 / prog.steps);
    }
  }
  const bm = median(ms.before);
  const am = median(ms.after);
  const pairs = ms.after.map((a, i) => a / (ms.before[i] ?? a));
  process.stdout.write(
    `${prog.file} (${sides.after.located} located nodes in its rules' losses): before ${bm.toFixed(3)} CPU ms/step, after ${am.toFixed(3)} CPU ms/step, after/before ${(am / bm).toFixed(3)} (median of block pairs ${median(pairs).toFixed(3)}, range ${Math.min(...pairs).toFixed(3)}–${Math.max(...pairs).toFixed(3)})\n`,
  );
}
const { at } = await load<typeof import('../compiler/lower/located.js')>(here, 'compiler/lower/located.ts');
const pos = { line: 1, column: 1, offset: 0 };
const span = { file: 'f', start: pos, end: pos };
const add = (a: number, b: number): number => a + b;
const N = 2e7;
const perNode: number[] = [];
for (let round = 0; round < 5; round++) {
  let acc = 0;
  let c0 = process.cpuUsage();
  for (let i = 0; i < N; i++) acc += add(i, 1);
  let c = process.cpuUsage(c0);
  const bare = c.user + c.system;
  c0 = process.cpuUsage();
  for (let i = 0; i < N; i++) acc += at(span, () => `x ${i}`, () => add(i, 1));
  c = process.cpuUsage(c0);
  perNode.push(((c.user + c.system - bare) * 1000) / N);
  if (acc < 0) process.stdout.write('');
}
process.stdout.write(`one located node costs ${median(perNode).toFixed(1)} ns of CPU (median of 5 rounds of ${N})\n`);
process.stdout.write(`backend ${backend}; load average ${load0.toFixed(2)} at the start, ${(loadavg()[0] ?? 0).toFixed(2)} at the end\n`);
