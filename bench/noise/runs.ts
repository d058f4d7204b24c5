/**
 * The runs of the issue-9 noise study (programs/noise/small/), by table: each run is a program,
 * `--set` overrides and a seed, written to OUT/<table>/<name>. Runs already completed (manifest
 * outcome "completed") are skipped, so a table's script can be started again to finish or to print.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { runProgram, type SetValue } from '../../runtime/run.js';
import { standardLibrary } from '../../stdlib/registry.js';

export const PROGRAMS = 'programs/noise/small';
export const SEEDS = [0, 1, 2] as const;
/** The fixed-σ sweep's grid of log σ (all three blocks alike). */
export const SWEEP_LOG_SIGMA = [-3, -2, -1, 0, 1] as const;

export interface RunSpec {
  readonly name: string;
  readonly program: string;
  readonly set: Readonly<Record<string, SetValue>>;
  readonly seed: number;
  readonly epochs?: number;
  /** Text replacements that make a variant of the program (written beside the run, imports made absolute). */
  readonly edit?: readonly (readonly [string, string])[];
}

export const completed = (dir: string): boolean => {
  const m = path.join(dir, 'manifest.json');
  if (!existsSync(m)) return false;
  const v: unknown = JSON.parse(readFileSync(m, 'utf8'));
  return typeof v === 'object' && v !== null && 'outcome' in v && v.outcome === 'completed';
};

/** A copy of `program` with `edit` applied, in `out`; its imports point back at programs/noise/small. */
const variantFile = (out: string, program: string, edit: readonly (readonly [string, string])[]): string => {
  let text = readFileSync(path.join(PROGRAMS, program), 'utf8');
  for (const [from, to] of edit) {
    if (!text.includes(from)) throw new Error(`${program}: no '${from}' to replace`);
    text = text.replace(from, to);
  }
  const file = path.join(out, program);
  writeFileSync(file, text.replace(/import "([^"]+)"/g, (_m, p: string) => `import "${path.resolve(PROGRAMS, p)}"`));
  return file;
};

/** Runs one spec unless done; returns its wall seconds (0 when skipped) and writes them beside the run with the load average. */
export const runOne = async (root: string, spec: RunSpec): Promise<number> => {
  const out = path.join(root, spec.name);
  if (completed(out)) return 0;
  mkdirSync(out, { recursive: true });
  const file = spec.edit === undefined ? path.join(PROGRAMS, spec.program) : variantFile(out, spec.program, spec.edit);
  const load0 = readFileSync('/proc/loadavg', 'utf8').trim();
  const t0 = Date.now();
  const cpu0 = process.cpuUsage();
  const code = await runProgram(
    {
      registry: standardLibrary,
      file,
      out,
      set: spec.set,
      seed: spec.seed,
      ...(spec.epochs !== undefined ? { epochs: spec.epochs } : {}),
      checkpointEvery: 1e12,
      argv: ['bench/noise', spec.name],
    },
    { info: () => undefined, error: (l) => console.error(l), renderDiagnostics: (ds) => ds.map((d) => d.message).join('\n') },
  );
  if (code !== 0) throw new Error(`${spec.name} failed (${code})`);
  const wall = (Date.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const timing = { wall_s: wall, cpu_s: (cpu.user + cpu.system) / 1e6, load_before: load0, load_after: readFileSync('/proc/loadavg', 'utf8').trim() };
  writeFileSync(path.join(out, 'timing.json'), JSON.stringify(timing));
  console.log(`${spec.name}: ${wall.toFixed(1)} s wall, ${timing.cpu_s.toFixed(1)} s cpu (load ${load0.split(' ')[0]} → ${timing.load_after.split(' ')[0]})`);
  return wall;
};

export const runAll = async (root: string, specs: readonly RunSpec[]): Promise<void> => {
  for (const s of specs) await runOne(root, s);
};

/** Table 1 (main comparison) and table 3 (calibration): seed 0 of every method and the sweep first, then seeds 1 and 2. */
export const mainSpecs = (): RunSpec[] => [
  ...SEEDS.flatMap((seed) => [
    { name: `plain-s${seed}`, program: 'temperature.xreg', set: {}, seed },
    { name: `crossreg-s${seed}`, program: 'crossreg.xreg', set: {}, seed },
    { name: `fixed-s${seed}`, program: 'fixed.xreg', set: {}, seed },
    ...(seed === 0 ? SWEEP_LOG_SIGMA.map((s) => ({ name: `sweep${s}-s0`, program: 'sigma_member.xreg', set: { s }, seed })) : []),
  ]),
];
/** The sweep's selected log σ (lowest `gen` on the regularization split, seed 0) on seeds 1 and 2. */
export const sweepBestSpecs = (best: number): RunSpec[] =>
  SEEDS.filter((s) => s !== 0).map((seed) => ({ name: `sweep${best}-s${seed}`, program: 'sigma_member.xreg', set: { s: best }, seed }));
export const ensembleSpecs = (): RunSpec[] => SEEDS.map((seed) => ({ name: `ensemble-s${seed}`, program: 'ensemble.xreg', set: {}, seed }));

/** The hyper-gradient probe at log σ held near each value. */
export const PROBE_LOG_SIGMA = [-3, 0, -1] as const;
export const probeSpecs = (): RunSpec[] => PROBE_LOG_SIGMA.map((s) => ({ name: `probe${s}`, program: 'probe.xreg', set: { s }, seed: 0 }));

const FINAL =
  'report every 20 epochs: fit, gen, train_acc, acc, test_nll, ece, reg_nll, mc_nll, mc_ece, mc_acc,\n' +
  '  g1 = applied_grad(net.mlp.block1.noise.log_sigma), g2 = applied_grad(net.mlp.block2.noise.log_sigma), g3 = applied_grad(net.mlp.block3.noise.log_sigma)';

/** Cross-regularization's σ per block over training (seed 0, reporting the cheap series every epoch). */
export const traceSpecs = (): RunSpec[] => [
  {
    name: 'crossreg-trace',
    program: 'crossreg.xreg',
    set: {},
    seed: 0,
    edit: [[FINAL, 'report every 1 epochs: fit, gen, train_acc, reg_nll']],
  },
];
/** Cross-regularization started at log σ = −1 and 0 (near the sweep's range of good σ): does the rule stay there? */
export const restSpecs = (): RunSpec[] =>
  [-1, 0].map((s) => ({
    name: `crossreg-init${s}`,
    program: 'crossreg.xreg',
    set: {},
    seed: 0,
    edit: [
      ['mlp(-3, -3)', `mlp(${s}, ${s})`],
      [FINAL, 'report every 1 epochs: fit, gen, train_acc, reg_nll'],
    ],
  }));
/** PBT on every seed (seed 0 keeps its earlier name `pbt`). */
export const pbtSpecs = (seeds: readonly number[] = SEEDS): RunSpec[] => seeds.map((seed) => ({ name: seed === 0 ? 'pbt' : `pbt-s${seed}`, program: 'pbt.xreg', set: {}, seed }));
/** The fixed-σ sweep on the given seeds: every log σ of the grid, so each seed selects its own member. */
export const sweepSpecs = (seeds: readonly number[]): RunSpec[] =>
  seeds.flatMap((seed) => SWEEP_LOG_SIGMA.map((s) => ({ name: `sweep${s}-s${seed}`, program: 'sigma_member.xreg', set: { s }, seed })));
/** Learned augmentation (augment.xreg), the same magnitudes frozen (augment_fixed.xreg) and no augmentation (plain.xreg), per seed. */
export const augmentSpecs = (seeds: readonly number[] = SEEDS): RunSpec[] =>
  seeds.flatMap((seed) => [
    { name: `aug-learned-s${seed}`, program: 'augment.xreg', set: {}, seed },
    { name: `aug-none-s${seed}`, program: 'plain.xreg', set: {}, seed },
    { name: `aug-fixed-s${seed}`, program: 'augment_fixed.xreg', set: {}, seed },
  ]);
/** The fixed-magnitude reference as a one-knob sweep (all three α times `scale`; scale 1 is aug-fixed). */
export const AUG_SCALES = [0.5, 2, 4] as const;
export const augmentSweepSpecs = (seed = 0): RunSpec[] => AUG_SCALES.map((scale) => ({ name: `aug-scale${scale}-s${seed}`, program: 'augment_fixed.xreg', set: { scale }, seed }));
/** Growing data on every seed (epochs are passes over the data in use: 45 on 400 images, then 10 on 2,000). */
export const growthSpecs = (seeds: readonly number[] = SEEDS): RunSpec[] => seeds.map((seed) => ({ name: `growing-s${seed}`, program: 'growing.xreg', set: {}, seed }));
/** §6.4 on one seed: seed 0 keeps the earlier names (`sens-k1`), other seeds add `-s<seed>`. */
export const sensitivitySpecs = (seed = 0): RunSpec[] =>
  sensitivitySeed0().map((r) => (seed === 0 ? r : { ...r, name: `${r.name}-s${seed}`, seed }));
/** §6.4: K, r and the regularization split's size, one at a time from the main setting (seed 0; K = 3, r = 30, 1,000 examples there). */
const sensitivitySeed0 = (): RunSpec[] => [
  ...[1, 5].map((k) => ({ name: `sens-k${k}`, program: 'crossreg.xreg', set: { k }, seed: 0, edit: [[FINAL, 'report every 20 epochs: fit, gen, train_acc, acc, reg_nll']] as const })),
  ...[10, 100].map((r) => ({
    name: `sens-r${r}`,
    program: 'crossreg.xreg',
    set: {},
    seed: 0,
    edit: [
      ['every 30 steps', `every ${r} steps`],
      [FINAL, 'report every 20 epochs: fit, gen, train_acc, acc, reg_nll'],
    ] as const,
  })),
  // The regularization split as 1%, 3% and 10% of the 3,000 examples (30, 90, 300): the training split keeps its 2,000.
  ...[0.01, 0.03, 0.1].map((f) => ({
    name: `sens-reg${f}`,
    program: 'crossreg.xreg',
    set: {},
    seed: 0,
    edit: [
      ['import "setting.xreg"', `import "net.xreg"\nseed 0\ndata d = fashion_mnist() |> subset(n: 3000, seed: 0)\ndata t = fashion_mnist(part: "test")\nsplit d { train: 2/3, reg: ${f}, rest: ${(1 / 3 - f).toFixed(6)} } seed 0\nsplit t { test: 1 }`],
      [FINAL, 'report every 20 epochs: fit, gen, train_acc, acc, reg_nll'],
    ] as const,
  })),
];
