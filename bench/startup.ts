/**
 * Start-up of the CLI against Node itself:
 * `npx tsx bench/startup.ts [--rounds 15] [--program P] [--against DIR] [--no-run]`.
 * Runs, interleaved round by round so that load changes hit all three alike, `node -e 0`,
 * `node bin/xreg.js check P` and `node bin/xreg.js run P --steps 1 --quiet` (needs `npm run build`),
 * and prints per command the median wall time and the median CPU time (user + system of all its
 * threads, from `perf stat` where it runs, else /usr/bin/time; less disturbed by other processes
 * than wall time), their ratios to `node -e 0`,
 * and the load average before and after (wall times mean little on a busy machine).
 * `--against DIR` (repeatable) adds the same commands run by another built checkout
 * (DIR/bin/xreg.js, e.g. the commit before a change), interleaved with these: a before/after
 * comparison in one sitting.
 * `--no-run` leaves out `run --steps 1` (a second per round).
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
const against = process.argv.flatMap((a, i) => (a === '--against' ? [process.argv[i + 1] ?? ''] : []));
const withRun = !process.argv.includes('--no-run');
const scratch = mkdtempSync(path.join(tmpdir(), 'xreg-startup-'));

interface Sample {
  readonly wall: number;
  readonly cpu: number;
}

const out = path.join(scratch, 'time.txt');

/** One run under /usr/bin/time: wall and user + system seconds of the child (to 10 ms). */
const timedByTime = (args: readonly string[]): Sample => {
  const r = spawnSync('/usr/bin/time', ['-f', '%e %U %S', '-o', out, ...args], { stdio: 'ignore' });
  if (r.status !== 0) throw new Error(`${args.join(' ')} exited with ${String(r.status)}`);
  const [wall, user, sys] = readFileSync(out, 'utf8').trim().split(/\s+/).map(Number);
  return { wall: wall ?? NaN, cpu: (user ?? NaN) + (sys ?? NaN) };
};

/** One run under `perf stat`: wall time and CPU time of all the child's threads (to the microsecond). */
const timedByPerf = (args: readonly string[]): Sample => {
  const r = spawnSync('perf', ['stat', '-x,', '-e', 'task-clock,duration_time', '-o', out, '--', ...args], { stdio: 'ignore' });
  if (r.status !== 0) throw new Error(`${args.join(' ')} exited with ${String(r.status)}`);
  const value = (event: string): number => {
    const line = readFileSync(out, 'utf8').split('\n').find((l) => l.split(',')[2] === event);
    return Number(line?.split(',')[0] ?? NaN);
  };
  return { wall: value('duration_time') / 1e9, cpu: value('task-clock') / 1e3 };
};

// /usr/bin/time rounds to 10 ms, a fifth of `node -e 0`: perf's counts where it runs.
const perf = spawnSync('perf', ['stat', '-x,', '-e', 'task-clock,duration_time', '-o', out, '--', 'true'], { stdio: 'ignore' }).status === 0;
const timed = perf ? timedByPerf : timedByTime;

/** The CLI commands of one checkout, named with `suffix`. */
const cli = (bin: string, suffix: string): Record<string, (round: number) => readonly string[]> => ({
  [`xreg check${suffix}`]: () => ['node', bin, 'check', program],
  ...(withRun
    ? { [`xreg run --steps 1${suffix}`]: (round: number) => ['node', bin, 'run', program, '--steps', '1', '--quiet', '--out', path.join(scratch, `run${suffix.length}-${round}`)] }
    : {}),
});

const commands: Readonly<Record<string, (round: number) => readonly string[]>> = {
  'node -e 0': () => ['node', '-e', '0'],
  ...cli('bin/xreg.js', ''),
  ...Object.fromEntries(against.flatMap((dir) => Object.entries(cli(path.join(dir, 'bin', 'xreg.js'), ` (${dir})`)))),
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
console.log(`${program}, ${rounds} rounds, medians (${perf ? 'perf stat' : '/usr/bin/time'}); load average ${loadBefore} before, ${load()} after (${String(process.env.NODE_VERSION ?? process.version)})`);
console.log('| command | wall s | × node -e 0 | CPU s | × node -e 0 |');
console.log('|---|---:|---:|---:|---:|');
for (const [name, xs] of samples) {
  const wall = median(xs.map((s) => s.wall));
  const cpu = median(xs.map((s) => s.cpu));
  console.log(`| ${name} | ${wall.toFixed(3)} | ${(wall / baseWall).toFixed(2)} | ${cpu.toFixed(3)} | ${(cpu / baseCpu).toFixed(2)} |`);
}
