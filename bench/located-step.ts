/**
 * The cost of naming a failing expression (compiler/lower/located.ts: a `try` around each compiled
 * node's own operation) on a training step: the step time of this tree against another checkout
 * without it (`--before`), alternating processes so that both see the same machine load.
 *
 *   npx tsx bench/located-step.ts --before /work/main [--rounds 5] [--backend wasm]
 *
 * Each child runs `xreg run` in-process (runtime/run.ts of its own tree) on two programs: the ridge
 * program (tiny tensors, so per-node overhead is at its largest share) and the small noise study's
 * plain MLP (Fashion-MNIST, batch 64). The step time is the median interval between consecutive
 * steps (reports and checkpoints fall outside the median). Prints the medians over rounds, the
 * ratio after/before, and the load average at the start and the end.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const arg = (name: string): string | undefined => {
  const i = process.argv.indexOf(`--${name}`);
  return i < 0 ? undefined : process.argv[i + 1];
};
const here = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

const PROGRAMS: readonly { readonly file: string; readonly steps: number }[] = [
  { file: 'programs/crossreg/ridge.xreg', steps: 1500 },
  { file: 'programs/noise/small/plain.xreg', steps: 60 },
];

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? Number.NaN;
};

/** One child: `--root`'s runtime on `--program`, printing the median step in ms. */
const child = async (root: string, file: string, steps: number, backend: string): Promise<void> => {
  const run = (await import(pathToFileURL(path.join(root, 'runtime/run.ts')).href)) as typeof import('../runtime/run.js');
  const reg = (await import(pathToFileURL(path.join(root, 'stdlib/registry.ts')).href)) as typeof import('../stdlib/registry.js');
  const out = mkdtempSync(path.join(tmpdir(), 'xreg-located-'));
  const times: number[] = [];
  const code = await run.runProgram(
    { file: path.join(root, file), out, steps, registry: reg.standardLibrary, set: {}, checkpointEvery: 1_000_000, argv: [], backend: backend as 'wasm' | 'cpu', force: true },
    { info: () => undefined, error: (l) => process.stderr.write(`${l}\n`), renderDiagnostics: () => '', onStep: () => void times.push(performance.now()) },
  );
  rmSync(out, { recursive: true, force: true });
  if (code !== 0) throw new Error(`${file} exited ${code}`);
  const gaps = times.slice(1).map((t, i) => t - (times[i] ?? t));
  // The first tenth is warm-up (kernels compiled, caches filled).
  process.stdout.write(`${median(gaps.slice(Math.floor(gaps.length / 10)))}\n`);
};

const root = arg('root');
const backend = arg('backend') ?? 'wasm';
if (root !== undefined) {
  await child(root, arg('program') ?? '', Number(arg('steps')), backend);
} else {
  const before = arg('before');
  if (before === undefined) throw new Error('usage: npx tsx bench/located-step.ts --before OTHER_CHECKOUT [--rounds 5] [--backend wasm]');
  const rounds = Number(arg('rounds') ?? 5);
  const load0 = loadavg()[0] ?? 0;
  for (const p of PROGRAMS) {
    const ms: Record<'before' | 'after', number[]> = { before: [], after: [] };
    for (let r = 0; r < rounds; r++) {
      for (const [side, dir] of [['before', before], ['after', here]] as const) {
        const c = spawnSync('npx', ['tsx', path.join(here, 'bench/located-step.ts'), '--root', dir, '--program', p.file, '--steps', String(p.steps), '--backend', backend], { cwd: dir, encoding: 'utf8' });
        const v = Number(c.stdout.trim().split('\n').at(-1));
        if (!Number.isFinite(v)) throw new Error(`${side} ${p.file}: ${c.stderr}`);
        ms[side].push(v);
      }
    }
    const b = median(ms.before);
    const a = median(ms.after);
    process.stdout.write(`${p.file}: before ${b.toFixed(3)} ms/step, after ${a.toFixed(3)} ms/step, after/before ${(a / b).toFixed(3)} (rounds: ${ms.after.map((x, i) => (x / (ms.before[i] ?? x)).toFixed(3)).join(', ')})\n`);
  }
  process.stdout.write(`backend ${backend}; load average ${load0.toFixed(2)} at the start, ${(loadavg()[0] ?? 0).toFixed(2)} at the end\n`);
}
