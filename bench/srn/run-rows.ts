/**
 * Runs one group of docs/results-srn.md's rows (3 seeds each) through the real runtime, one run
 * after another, skipping runs whose folder already holds a finished manifest.
 *
 *   nice -n 5 npx tsx bench/srn/run-rows.ts GROUP [OUT=runs/srn] [SEEDS=0,1,2]
 *
 * GROUP is one of rows.ts' GROUPS (baselines, more_baselines, online, exact, two_phase, curvature,
 * ...); SEEDS picks some of the seeds, so that a second process can take a seed the first has not
 * reached (two processes on one run folder: the second is refused by the folder's lock).
 *
 * Then `npx tsx bench/srn/table.ts [OUT]` prints the table.
 */
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { runProgram } from '../../runtime/run.js';
import { standardLibrary } from '../../stdlib/registry.js';
import { GROUPS, runDir, SEEDS } from './rows.js';

const [group = 'baselines', root = 'runs/srn', seedsArg] = process.argv.slice(2);
const seeds = seedsArg === undefined ? SEEDS : seedsArg.split(',').map(Number);
const rows = GROUPS[group];
if (rows === undefined) throw new Error(`unknown group '${group}' (${Object.keys(GROUPS).join(', ')})`);

const finished = (dir: string): boolean => {
  const f = path.join(dir, 'manifest.json');
  return existsSync(f) && /"seconds"/.test(readFileSync(f, 'utf8'));
};

for (const r of rows)
  for (const seed of seeds) {
    const out = runDir(root, r, seed);
    if (finished(out)) continue;
    const t0 = Date.now();
    const code = await runProgram(
      { registry: standardLibrary, file: `programs/srn/${r.program}.xreg`, out, seed, set: r.set, checkpointEvery: 1e12, argv: ['run-rows', group, r.program, String(seed)] },
      { info: () => undefined, error: (l) => console.error(l), renderDiagnostics: (ds) => ds.map((d) => d.message).join('\n') },
    );
    if (code !== 0) throw new Error(`${out} failed (${code})`);
    console.log(`${out}: ${((Date.now() - t0) / 1000).toFixed(1)} s, load ${readFileSync('/proc/loadavg', 'utf8').trim()}`);
  }
