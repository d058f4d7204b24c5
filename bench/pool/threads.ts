/**
 * Where the CPU of an epoch goes, thread by thread: `programs/noise/pbt.xreg` as one model and as a
 * population of 20 on `--workers N` (bench/peers/population.ts's two programs), each run by a built
 * `bin/xreg.js` for 1 and for 2 epochs while this script samples /proc every 100 ms
 * (bench/pool/thread-cpu.ts); the difference of the two runs is one epoch, per thread name and
 * per role (the one model's process; the pool's coordinator; its workers, summed).
 *
 *     npm run build && npx tsx bench/pool/threads.ts [--rounds 1] [--workers 2] [--only one|population]
 *         [--variant 'NAME=[OTHER/bin/xreg.js] [NODE FLAGS]'] …
 *
 * A `--variant 'NAME=[OTHER/bin/xreg.js] [NODE FLAGS]'` runs `node NODE FLAGS OTHER/bin/xreg.js …` (a
 * build of another tree, default `--bin`; the pool's workers inherit the flags: they start with the
 * coordinator's `process.execArgv`); several are measured round by round, interleaved. Without one,
 * the build as it is.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import * as path from 'node:path';
import { oneModelText, pbtText } from '../peers/population.js';
import { ThreadSampler } from './thread-cpu.js';
import { loadAverage, median, oneThreadEach } from '../stats.js';

const root = path.join(import.meta.dirname, '..', '..');
const args = process.argv.slice(2);
const option = (name: string): string[] => args.flatMap((a, i) => (a === `--${name}` && args[i + 1] !== undefined ? [args[i + 1] ?? ''] : []));
const rounds = Number(option('rounds')[0] ?? '1');
const workers = Number(option('workers')[0] ?? String(availableParallelism()));
const bin = path.resolve(option('bin')[0] ?? path.join(root, 'bin', 'xreg.js'));
const only = option('only')[0];
const variants = (option('variant').length > 0 ? option('variant') : ['as built=']).map((v) => {
  const i = v.indexOf('=');
  const words = i < 0 ? [] : v.slice(i + 1).split(/\s+/).filter((f) => f !== '');
  const ownBin = words[0]?.endsWith('.js') === true ? path.resolve(words[0]) : undefined;
  return { name: i < 0 ? v : v.slice(0, i), bin: ownBin ?? bin, flags: ownBin === undefined ? words : words.slice(1) };
});

type Totals = Map<string, Map<string, number>>;
interface Run {
  readonly wall: number;
  /** The tree's CPU s by /usr/bin/time (threads that ended between samples included). */
  readonly cpu: number;
  readonly byRole: Totals;
  readonly processes: Map<string, number>;
}

const roleOf = (_pid: number, depth: number, cmdline: string): string | undefined =>
  depth === 0 ? undefined : depth === 1 ? 'main' : cmdline.includes('--shard') ? 'workers' : 'other';

const timedRun = async (bin: string, file: string, epochs: number, flags: readonly string[], extra: readonly string[], scratch: string): Promise<Run> => {
  const out = path.join(scratch, `out-${epochs}`);
  const times = path.join(scratch, 'time');
  const child = spawn('/usr/bin/time', ['-f', '%e %U %S', '-o', times, process.execPath, ...flags, bin, 'run', file, '--epochs', String(epochs), '--out', out, '--quiet', ...extra], {
    cwd: root,
    env: oneThreadEach(),
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
  const sampler = new ThreadSampler(child.pid ?? -1, roleOf);
  const timer = setInterval(() => sampler.sample(), 100);
  const code = await new Promise<number>((resolve) => child.on('close', (c) => resolve(c ?? 1)));
  clearInterval(timer);
  if (code !== 0) throw new Error(`${file} --epochs ${epochs} failed (${code}): ${stderr.slice(-2000)}`);
  const [wall, user, sys] = readFileSync(times, 'utf8').trim().split(/\s+/).map(Number);
  rmSync(out, { recursive: true, force: true });
  const byRole: Totals = new Map();
  const processes = new Map<string, number>();
  for (const [role, t] of sampler.totals()) {
    byRole.set(role, t.byName);
    processes.set(role, t.processes);
  }
  return { wall: wall ?? NaN, cpu: (user ?? NaN) + (sys ?? NaN), byRole, processes };
};

/** Thread names with their CPU s: "V8 DefaultWorke" threads summed, and so on. */
const rows = (r: Run): Map<string, number> => {
  const m = new Map<string, number>();
  for (const [role, names] of r.byRole) for (const [name, cpu] of names) m.set(`${role} / ${name}`, (m.get(`${role} / ${name}`) ?? 0) + cpu);
  const sampled = [...m.values()].reduce((a, b) => a + b, 0);
  m.set('(not sampled)', r.cpu - sampled);
  return m;
};

const scratch = mkdtempSync(path.join(tmpdir(), 'xreg-threads-'));
const pbt = pbtText();
const files = { population: path.join(scratch, 'pbt.xreg'), one: path.join(scratch, 'one.xreg') };
writeFileSync(files.population, pbt);
writeFileSync(files.one, oneModelText(pbt));
const members = Number(/population (\d+)/.exec(pbt)?.[1] ?? NaN);
const sides = (['one', 'population'] as const).filter((s) => only === undefined || only === s);
const epochOf = new Map<string, Map<string, number>[]>();
try {
  for (let round = 0; round < rounds; round++) {
    for (const v of round % 2 === 0 ? variants : [...variants].reverse()) {
      for (const side of sides) {
        const dir = path.join(scratch, `${round}-${side}`);
        mkdirSync(dir, { recursive: true });
        const extra = side === 'population' ? ['--workers', String(workers)] : [];
        const before = loadAverage();
        const a = await timedRun(v.bin, files[side], 1, v.flags, extra, dir);
        const b = await timedRun(v.bin, files[side], 2, v.flags, extra, dir);
        const ra = rows(a);
        const rb = rows(b);
        const fmt = (m: Map<string, number>): string => [...m].map(([k, x]) => `${k} ${x.toFixed(2)}`).join('; ');
        console.error(`  1 epoch: ${fmt(ra)}\n  2 epochs: ${fmt(rb)}`);
        const epoch = new Map([...rb].map(([k, x]) => [k, x - (ra.get(k) ?? 0)]));
        epoch.set('(wall)', b.wall - a.wall);
        epoch.set('(CPU, all threads)', b.cpu - a.cpu);
        const key = `${v.name} | ${side}`;
        epochOf.set(key, [...(epochOf.get(key) ?? []), epoch]);
        console.error(`round ${round + 1}, ${key}: 1 epoch ${a.wall.toFixed(1)} s wall ${a.cpu.toFixed(1)} s CPU, 2 epochs ${b.wall.toFixed(1)} s wall ${b.cpu.toFixed(1)} s CPU; processes ${[...b.processes].map(([r, n]) => `${r} ${n}`).join(', ')}; load ${before} → ${loadAverage()}`);
      }
    }
  }
} finally {
  rmSync(scratch, { recursive: true, force: true });
}

console.log(`CPU s of one epoch of pbt.xreg by thread (2-epoch run less 1-epoch run; median of ${rounds} round(s)); ${workers} workers; node ${process.version}; bin ${path.relative(process.cwd(), bin)}; load now ${loadAverage()}`);
for (const [key, epochs] of epochOf) {
  console.log(`\n${key}`);
  console.log('| thread(s) | CPU s per epoch | per member (population) |');
  console.log('|---|---:|---:|');
  const names = [...new Set(epochs.flatMap((e) => [...e.keys()]))].sort();
  for (const n of names) {
    const x = median(epochs.map((e) => e.get(n) ?? 0));
    if (Math.abs(x) < 0.005) continue;
    console.log(`| ${n} | ${x.toFixed(2)} | ${key.endsWith('population') ? (x / members).toFixed(3) : ''} |`);
  }
}
