/**
 * One process of bench/step-trees.ts: runs the benchmarks' MLP program (784-256-256-10, batch 128,
 * Adam, Fashion-MNIST) through `xreg run`'s own step loop from the checkout given as the first
 * argument, for the given number of steps, and prints one JSON line: the median and quartile of
 * the times between steps (ms) after 10 warm-up steps, and the process's CPU ms per step.
 * Usage: node --import tsx bench/step-child.ts TREE STEPS
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

const tree = path.resolve(process.argv[2] ?? '.');
const steps = Number(process.argv[3] ?? '300');
const WARMUP = 10;

interface RunModule {
  readonly runProgram: (o: Record<string, unknown>, io: Record<string, unknown>) => Promise<number>;
}
const { runProgram } = (await import(path.join(tree, 'runtime', 'run.ts'))) as RunModule;
const { standardLibrary } = (await import(path.join(tree, 'stdlib', 'registry.ts'))) as { standardLibrary: unknown };
const { renderAll } = (await import(path.join(tree, 'cli', 'commands', 'run.ts'))) as { renderAll: unknown };

const scratch = mkdtempSync(path.join(tmpdir(), 'xreg-step-'));
const file = path.join(scratch, 'mlp.xreg');
writeFileSync(
  file,
  `seed 0
data d = fashion_mnist()
split d { train: 1 } seed 0
model net(x) = x |> flatten |> dense(256) |> relu |> dense(256) |> relu |> dense(10)
loss fit = cross_entropy(net(x), y) over train batch 128
update params(net) by adam(lr: 1e-3) on fit
run 100000 steps batch 128
report every 1 epoch: fit
`,
);
const stamps: number[] = [];
const cpu: number[] = [];
const errors: string[] = [];
const code = await runProgram(
  { file, registry: standardLibrary, set: {}, checkpointEvery: 1_000_000, argv: ['bench'], steps: steps + WARMUP, out: path.join(scratch, 'out'), backend: 'wasm', evalLimit: 1000 },
  {
    info: () => undefined,
    error: (l: string) => void errors.push(l),
    renderDiagnostics: renderAll,
    onStep: () => {
      stamps.push(performance.now());
      const u = process.cpuUsage();
      cpu.push((u.user + u.system) / 1000);
    },
  },
);
rmSync(scratch, { recursive: true, force: true });
if (code !== 0) throw new Error(`xreg run failed: ${errors.join('\n')}`);
const gaps = stamps.slice(WARMUP + 1).map((t, i) => t - (stamps[WARMUP + i] ?? t)).sort((a, b) => a - b);
const at = (q: number): number => gaps[Math.floor(q * (gaps.length - 1))] ?? NaN;
const cpuPerStep = ((cpu[cpu.length - 1] ?? 0) - (cpu[WARMUP] ?? 0)) / (cpu.length - 1 - WARMUP);
console.log(JSON.stringify({ median: at(0.5), p25: at(0.25), cpuPerStep }));
