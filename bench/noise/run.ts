/**
 * Runs the runs of one table of the noise study (skipping completed ones):
 *   npx tsx bench/noise/run.ts main|best|ensemble|probe|trace|rest_points|pbt|growth|sensitivity|sensitivity_reg|rest
 *     |augment|augment_sweep|sweep_seeds|sweep0|pbt_seeds|sensitivity_seeds [OUT=runs/noise] [BEST_LOG_SIGMA]
 */
import { SEEDS, augmentSpecs, augmentSweepSpecs, ensembleSpecs, growthSpecs, mainSpecs, pbtSpecs, probeSpecs, restSpecs, runAll, sensitivitySpecs, sweepBestSpecs, sweepSpecs, traceSpecs, type RunSpec } from './runs.js';

const [table = 'main', root = 'runs/noise', best = '-3'] = process.argv.slice(2);
const tables: Record<string, () => RunSpec[]> = {
  main: mainSpecs,
  best: () => sweepBestSpecs(Number(best)),
  ensemble: ensembleSpecs,
  probe: probeSpecs,
  trace: traceSpecs,
  rest_points: restSpecs,
  pbt: pbtSpecs,
  growth: growthSpecs,
  sensitivity: () => sensitivitySpecs().filter((r) => !r.name.startsWith('sens-reg')),
  sensitivity_reg: () => sensitivitySpecs().filter((r) => r.name.startsWith('sens-reg')),
  // seeds 1 and 2 of the sweep (each seed selects its own member), PBT and the sensitivity runs
  augment: () => augmentSpecs(),
  augment_sweep: () => SEEDS.flatMap((s) => augmentSweepSpecs(s)),
  sweep_seeds: () => sweepSpecs([1, 2]),
  sweep0: () => sweepSpecs([0]),
  pbt_seeds: () => pbtSpecs([1, 2]),
  sensitivity_seeds: () => [1, 2].flatMap((s) => sensitivitySpecs(s)),
  // the second worker's queue: everything after the main table, cheapest and most telling first
  rest: () => [...probeSpecs(), ...traceSpecs(), ...restSpecs(), ...growthSpecs(), ...ensembleSpecs().slice(0, 1), ...pbtSpecs(), ...sensitivitySpecs(), ...ensembleSpecs().slice(1)],
};
const specs = tables[table];
if (specs === undefined) {
  console.error(`unknown table '${table}': one of ${Object.keys(tables).join(', ')}`);
  process.exit(2);
}
// NOISE_ONLY=name,name runs only those runs of the table (to share a table between two workers).
const only = process.env.NOISE_ONLY?.split(',');
await runAll(root, specs().filter((r) => only === undefined || only.includes(r.name)));
