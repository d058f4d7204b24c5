/**
 * Start-up of the CLI against Node itself: `npx tsx bench/startup.ts [--rounds 15] [--program P]`.
 * Runs, interleaved round by round so that load changes hit all three alike, `node -e 0`,
 * `node bin/xreg.js check P` and `node bin/xreg.js run P --steps 1 --quiet` (needs `npm run build`),
 * and prints per command the median wall time and the median CPU time (user + system, from
 * /usr/bin/time; less disturbed by other processes than wall time), their ratios to `node -e 0`,
 * and the load average before and after (wall times mean little on a busy machine).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import * as path from 'node:path';

const arg = (name: string, fallback: string): string => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? (process.argv[i + 1] ?? fallback) : fallback;
};
const rounds = Number(arg('rounds', '15'));
const program = arg('program', 'programs/crossreg/ridge.xreg');
const scratch = mkdtempSync(path.join(tmpdir(), 'xreg-startup-'));

interface Sample {
  readonly wall: number;
  readonly cpu: number;
}

/** One run under /usr/bin/time: wall and user + system seconds of the child. */
const timed = (args: readonly string[]): Sample => {
  const out = path.join(scratch, 'time.txt');
  const r = spawnSync('/usr/bin/time', ['-f', '%e %U %S', '-o', out, ...args], { stdio: 'ignore' });
  if (r.status !== 0) throw new Error(`${args.join(' ')} exited with ${String(r.status)}`);
  const [wall, user, sys] = readFileSync(out, 'utf8').trim().split(/\s+/).map(Number);
  return { wall: wall ?? NaN, cpu: (user ?? NaN) + (sys ?? NaN) };
};

const commands: Readonly<Record<string, (round: number) => readonly string[]>> = {
  'node -e 0': () => ['node', '-e', '0'],
  'xreg check': () => ['node', 'bin/xreg.js', 'check', program],
  'xreg run --steps 1': (round) => ['node', 'bin/xreg.js', 'run', program, '--steps', '1', '--quiet', '--out', path.join(scratch, `run${round}`)],
};

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? (s[m] ?? NaN) : ((s[m - 1] ?? NaN) + (s[m] ?? NaN)) / 2;
};

const load = (): string => loadavg().map((x) => x.toFixed(2)).join(' ');
const loadBefore = load();
const samples = new Map<string, Sample[]>(Object.keys(commands).map((k) => [k, []]));
for (let round = 0; round < rounds; round++) {
  for (const [name, argv] of Object.entries(commands)) samples.get(name)?.push(timed(argv(round)));
}
rmSync(scratch, { recursive: true, force: true });

const base = samples.get('node -e 0') ?? [];
const baseWall = median(base.map((s) => s.wall));
const baseCpu = median(base.map((s) => s.cpu));
console.log(`${program}, ${rounds} rounds, medians; load average ${loadBefore} before, ${load()} after (${String(process.env.NODE_VERSION ?? process.version)})`);
console.log('| command | wall s | × node -e 0 | CPU s | × node -e 0 |');
console.log('|---|---:|---:|---:|---:|');
for (const [name, xs] of samples) {
  const wall = median(xs.map((s) => s.wall));
  const cpu = median(xs.map((s) => s.cpu));
  console.log(`| ${name} | ${wall.toFixed(3)} | ${(wall / baseWall).toFixed(1)} | ${cpu.toFixed(3)} | ${(cpu / baseCpu).toFixed(1)} |`);
}
