/**
 * A population trained by `xreg run --workers 1` against `--workers 2` (cli/commands/run-pool.ts):
 * `npx tsx bench/pool/population.ts [--rounds 2] [--steps 300] [--size 8] [--every 50]`.
 * The program is programs/noise/pbt.xreg with a population of `size` exploiting every `every`
 * steps. Runs `node bin/xreg.js run` (needs `npm run build`) under /usr/bin/time, the two worker
 * counts alternating round by round so that load changes hit both alike; prints wall and CPU
 * (user + system of the whole process tree) per run, the medians, the wall ratio and the load
 * average before and after each run. Also checks that the two runs ended alike (members' results, exploit
 * copies): the pool must change the speed, never the result.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import * as path from 'node:path';
import { oneThreadEach } from '../stats.js';

const arg = (name: string, fallback: string): string => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? (process.argv[i + 1] ?? fallback) : fallback;
};
const rounds = Number(arg('rounds', '2'));
const steps = arg('steps', '300');
const size = Number(arg('size', '8'));
const every = Number(arg('every', '50'));

const root = path.join(import.meta.dirname, '..', '..');
// Beside the original, so that its import of ../lib/blocks.xreg resolves.
const file = path.join(root, 'programs', 'noise', `.bench-pbt${size}.xreg`);
const text = readFileSync(path.join(root, 'programs', 'noise', 'pbt.xreg'), 'utf8')
  .replace(/population 20 \{/, `population ${size} {`)
  .replace(/every 1 epoch: exploit/, `every ${every} steps: exploit`);
if (!text.includes(`population ${size} {`) || !text.includes(`every ${every} steps`)) throw new Error('pbt.xreg changed: update the bench');
writeFileSync(file, text);
const scratch = mkdtempSync(path.join(tmpdir(), 'xreg-pool-bench-'));

const load = (): string => loadavg().map((x) => x.toFixed(2)).join(' ');

interface Sample {
  readonly workers: number;
  readonly wall: number;
  readonly cpu: number;
  readonly load: string;
}

const run = (workers: number, round: number): Sample => {
  const out = path.join(scratch, `w${workers}-r${round}`);
  const times = path.join(scratch, 'time.txt');
  const before = load();
  const r = spawnSync('/usr/bin/time', ['-f', '%e %U %S', '-o', times, 'node', 'bin/xreg.js', 'run', file, '--steps', steps, '--workers', String(workers), '--out', out, '--quiet'], {
    cwd: root,
    env: oneThreadEach(),
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  if (r.status !== 0) throw new Error(`--workers ${workers} exited with ${String(r.status)}`);
  const first = r.stdout.toString('utf8').split('\n')[0] ?? '';
  const [wall, user, sys] = readFileSync(times, 'utf8').trim().split(/\s+/).map(Number);
  const s = { workers, wall: wall ?? NaN, cpu: (user ?? NaN) + (sys ?? NaN), load: `${before} → ${load()}` };
  console.log(`round ${round + 1}, --workers ${workers}: ${s.wall.toFixed(1)} s wall, ${s.cpu.toFixed(1)} s CPU, load ${s.load}; ${first}`);
  return s;
};

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? (s[m] ?? NaN) : ((s[m - 1] ?? NaN) + (s[m] ?? NaN)) / 2;
};

/** What the run ended with: each member's final and best values, and every exploit copy. */
const outcome = (dir: string): string => {
  const m = JSON.parse(readFileSync(path.join(dir, 'manifest.json'), 'utf8')) as { results?: unknown; exploits?: unknown };
  return JSON.stringify([m.results, m.exploits]);
};

try {
  const samples: Sample[] = [];
  for (let round = 0; round < rounds; round++) {
    // Alternate which goes first, so neither always meets the same moment of the load.
    for (const w of round % 2 === 0 ? [1, 2] : [2, 1]) samples.push(run(w, round));
  }
  const same = outcome(path.join(scratch, 'w1-r0')) === outcome(path.join(scratch, 'w2-r0'));
  const of = (w: number): Sample[] => samples.filter((s) => s.workers === w);
  const [w1, w2] = [of(1), of(2)];
  console.log(`\npopulation of ${size}, ${steps} steps each, exploit every ${every} steps; ${rounds} rounds; node ${process.version}; ${String(loadavg().length)} load figures above (1, 5, 15 min)`);
  console.log('| workers | wall s (median) | CPU s (median) |');
  console.log('|---:|---:|---:|');
  for (const [w, xs] of [[1, w1], [2, w2]] as const) console.log(`| ${w} | ${median(xs.map((s) => s.wall)).toFixed(1)} | ${median(xs.map((s) => s.cpu)).toFixed(1)} |`);
  console.log(`wall --workers 1 / --workers 2: ${(median(w1.map((s) => s.wall)) / median(w2.map((s) => s.wall))).toFixed(2)}`);
  console.log(`results and exploits of --workers 1 and --workers 2 ${same ? 'identical' : 'DIFFER'}`);
} finally {
  rmSync(scratch, { recursive: true, force: true });
  rmSync(file, { force: true });
}
