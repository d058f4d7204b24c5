/**
 * Nothing lost: a run folder is never overwritten by accident, never written by two runs at once,
 * and a full or read-only disk ends a run with one line and a folder that still resumes.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { go, workspace } from '../helpers/run-program.js';
import { LOCK_FILE } from '../../runtime/folder/lock.js';
import { plotCommand } from '../../cli/commands/plot.js';
import { canMount, withTmpfs } from './tmpfs.js';

export const small = (steps = 20): string => `data d = correlated_features(base: 2, copies: 2, noise: 0.1, n: 60, seed: 1)
split d { train: 1/2, reg: 1/2 } seed 0
param w : Tensor[4] = 0
loss fit = mse(x @ w, y) over train
update w by sgd(lr: 0.05) on fit
run ${steps} steps batch 8
report every 2 steps: fit
`;

const manifestOf = (out: string): Record<string, unknown> => JSON.parse(readFileSync(path.join(out, 'manifest.json'), 'utf8')) as Record<string, unknown>;
const metricsOf = (out: string): string => readFileSync(path.join(out, 'metrics.jsonl'), 'utf8');

describe('a folder holding a run', () => {
  it('a new run into it is refused and its files stay byte for byte; --force replaces it', async () => {
    const d = workspace({ 'p.xreg': small() });
    const file = path.join(d, 'p.xreg');
    const out = path.join(d, 'out');
    expect((await go({ file, out })).code).toBe(0);
    const before = { metrics: metricsOf(out), manifest: readFileSync(path.join(out, 'manifest.json'), 'utf8') };
    const again = await go({ file, out, steps: 4 });
    expect(again.code).toBe(1);
    expect(again.errors).toHaveLength(1);
    expect(again.errors[0]).toMatch(/already holds a completed run of .*p\.xreg; continue it with --resume .*--force/);
    expect(metricsOf(out)).toBe(before.metrics);
    expect(readFileSync(path.join(out, 'manifest.json'), 'utf8')).toBe(before.manifest);
    expect(existsSync(path.join(out, LOCK_FILE))).toBe(false);
    const forced = await go({ file, out, steps: 4, force: true });
    expect(forced.code).toBe(0);
    expect(manifestOf(out)['totalSteps']).toBe(4);
    expect(metricsOf(out).trim().split('\n')).toHaveLength(2);
  });

  it('a folder with only other files is used as it is', async () => {
    const d = workspace({ 'p.xreg': small(4) });
    const out = path.join(d, 'out');
    mkdirSync(out);
    writeFileSync(path.join(out, 'notes.txt'), 'mine');
    expect((await go({ file: path.join(d, 'p.xreg'), out })).code).toBe(0);
    expect(readFileSync(path.join(out, 'notes.txt'), 'utf8')).toBe('mine');
  });
});

describe('the run lock', () => {
  it('two runs on one --out at once: one trains, the other is refused by the lock; nothing interleaves', async () => {
    const d = workspace({ 'p.xreg': small(40) });
    const file = path.join(d, 'p.xreg');
    const out = path.join(d, 'out');
    const [a, b] = await Promise.all([go({ file, out, seed: 1 }), go({ file, out, seed: 2 })]);
    const codes = [a.code, b.code].sort();
    expect(codes).toEqual([0, 1]);
    const loser = a.code === 1 ? a : b;
    const winner = a.code === 0 ? a : b;
    expect(loser.errors.join('\n')).toMatch(/is in use by another run \(pid \d+ on /);
    const lines = metricsOf(out).trim().split('\n');
    expect(lines).toHaveLength(20);
    expect(lines.map((l) => (JSON.parse(l) as { step: number }).step)).toEqual(Array.from({ length: 20 }, (_, i) => 2 * (i + 1)));
    expect(manifestOf(out)['seed']).toBe(winner === a ? 1 : 2);
    expect(existsSync(path.join(out, LOCK_FILE))).toBe(false);
  });

  it('a lock left by a dead process on this host is taken over; a live one is respected', async () => {
    const d = workspace({ 'p.xreg': small(4) });
    const file = path.join(d, 'p.xreg');
    const out = path.join(d, 'out');
    mkdirSync(out);
    // A pid that surely ended: a child we waited for.
    const dead = spawnSync(process.execPath, ['-e', '0']).pid;
    writeFileSync(path.join(out, LOCK_FILE), JSON.stringify({ pid: dead, host: os.hostname(), started: '2020-01-01T00:00:00Z' }));
    expect((await go({ file, out })).code).toBe(0);
    const out2 = path.join(d, 'out2');
    mkdirSync(out2);
    writeFileSync(path.join(out2, LOCK_FILE), JSON.stringify({ pid: process.ppid, host: os.hostname(), started: '2020-01-01T00:00:00Z' }));
    const r = await go({ file, out: out2 });
    expect(r.code).toBe(1);
    expect(r.errors).toEqual([expect.stringMatching(new RegExp(`in use by another run \\(pid ${process.ppid} `))]);
  });
});

describe('--resume', () => {
  it('refuses --out, --steps, --epochs, --eval-limit and --force that would change the run, in one line', async () => {
    const d = workspace({ 'p.xreg': small() });
    const file = path.join(d, 'p.xreg');
    const out = path.join(d, 'out');
    let at = 0;
    expect((await go({ file, out, checkpointEvery: 5 }, { onStep: (m) => (at = m.state.step), shouldStop: () => at >= 10 })).code).toBe(130);
    const r = await go({ file, resume: out, out: path.join(d, 'elsewhere'), steps: 50, evalLimit: 3, force: true });
    expect(r.code).toBe(1);
    expect(r.errors).toHaveLength(1);
    const msg = r.errors[0] ?? '';
    for (const part of ['--out', '--steps 50 (the run has 20 steps)', '--eval-limit 3', '--force']) expect(msg).toContain(part);
    expect(existsSync(path.join(d, 'elsewhere'))).toBe(false);
    // The same values as the run's are no conflict.
    const ok = await go({ file, resume: out, out, steps: 20 });
    expect(ok.code).toBe(0);
  });

  it('--epochs on a growing split is measured in its own epochs: the same length resumes, another is refused', async () => {
    // 30 training examples, batch 8: a quarter (1 step per epoch) until epoch 2, then 4 steps per epoch.
    const text = small().replace('split d { train: 1/2, reg: 1/2 }', 'split d { train: 1/2 grow from 0.25 until epoch 2, reg: 1/2 }').replace('run 20 steps batch 8', 'run 4 epochs batch 8');
    const d = workspace({ 'p.xreg': text });
    const file = path.join(d, 'p.xreg');
    const out = path.join(d, 'out');
    let at = 0;
    expect((await go({ file, out, checkpointEvery: 1 }, { onStep: (m) => (at = m.state.step), shouldStop: () => at >= 5 })).code).toBe(130);
    expect(manifestOf(out)).toMatchObject({ totalSteps: 2 * 1 + 2 * 4, totalEpochs: 4, stepsPerEpoch: 4 });
    const other = await go({ file, resume: out, epochs: 3 });
    expect(other.code).toBe(1);
    expect(other.errors[0]).toContain('--epochs 3 (the run has 10 steps, 4 epochs)');
    const same = await go({ file, resume: out, epochs: 4 });
    expect(same.code).toBe(0);
    expect(manifestOf(out)).toMatchObject({ outcome: 'completed', totalSteps: 10 });
  });

  it('stepsRun and seconds add up over segments, a crashed segment counted up to its last checkpoint', async () => {
    const d = workspace({ 'p.xreg': small() });
    const file = path.join(d, 'p.xreg');
    const out = path.join(d, 'out');
    const crash = await go(
      { file, out, checkpointEvery: 5 },
      {
        onStep: (m) => {
          if (m.state.step === 12) throw new Error('power cut');
        },
      },
    );
    expect(crash.code).toBe(1);
    expect(manifestOf(out)['stepsRun']).toBe(10);
    const s1 = manifestOf(out)['seconds'] as number;
    expect(s1).toBeGreaterThan(0);
    const r = await go({ file, resume: out, checkpointEvery: 5 });
    expect(r.code).toBe(0);
    const m = manifestOf(out);
    expect(m['stepsRun']).toBe(20);
    expect(m['seconds'] as number).toBeGreaterThan(s1);
  });
});

describe('full and read-only disks', () => {
  // A tmpfs needs root; without it the permission test below covers the same one-line path.
  it.runIf(canMount())('a tiny disk: one line, the manifest not left running, no temp files, and the run resumes to the same result', async () => {
    const d = workspace({ 'p.xreg': small(200) });
    const file = path.join(d, 'p.xreg');
    const whole = path.join(d, 'whole');
    expect((await go({ file, out: whole })).code).toBe(0);
    await withTmpfs('48k', async (mnt) => {
      const out = path.join(mnt, 'run');
      // Fill the disk until only a few KB are left, so a checkpoint or a metrics line fails mid-run.
      const r = await go({ file, out, checkpointEvery: 10 }, { onStep: (m) => m.state.step === 15 && fill(mnt, 'ballast') });
      expect(r.code).toBe(1);
      expect(r.errors).toHaveLength(1);
      expect(r.errors[0]).toMatch(/^error: cannot write in .*run: no space left on the device \(ENOSPC\); the checkpoint of step \d+ is kept/);
      expect(manifestOf(out)['outcome']).toBe('failed');
      expect(readdirSync(out).filter((f) => f.includes('.tmp'))).toEqual([]);
      expect(existsSync(path.join(out, LOCK_FILE))).toBe(false);
      for (const l of metricsOf(out).split('\n').filter((x) => x !== '')) JSON.parse(l);
      // Room again: the run resumes from its last good checkpoint and ends where the undisturbed one did.
      spawnSync('rm', ['-f', path.join(mnt, 'ballast')]);
      const again = await go({ file, resume: out, checkpointEvery: 10 });
      expect(again.code).toBe(0);
      expect(metricsOf(out)).toBe(metricsOf(whole));
    });
  });

  it.runIf(canMount())('a read-only run folder: --resume and a new run are one line each', async () => {
    const d = workspace({ 'p.xreg': small() });
    const file = path.join(d, 'p.xreg');
    const out = path.join(d, 'out');
    let at = 0;
    expect((await go({ file, out, checkpointEvery: 5 }, { onStep: (m) => (at = m.state.step), shouldStop: () => at >= 10 })).code).toBe(130);
    await withTmpfs('1m', async (mnt) => {
      const ro = path.join(mnt, 'ro');
      spawnSync('cp', ['-r', out, ro]);
      spawnSync('mount', ['-o', 'remount,ro', mnt]);
      const r = await go({ file, resume: ro });
      expect(r.code).toBe(1);
      expect(r.errors).toEqual([expect.stringMatching(/^error: cannot write in .*ro: the file system is read-only \(EROFS\)$/)]);
      const n = await go({ file, out: path.join(mnt, 'new') });
      expect(n.code).toBe(1);
      expect(n.errors).toEqual([expect.stringMatching(/^error: cannot create .*new: the file system is read-only \(EROFS\)$/)]);
      const p: string[] = [];
      expect(await plotCommand(ro, {}, { out: () => undefined, err: (l) => p.push(l) })).toBe(1);
      expect(p).toEqual([expect.stringMatching(/^xreg plot: cannot create .*ro\/figures: the file system is read-only \(EROFS\)$/)]);
    });
  });

  it('without root, a folder without write permission gives the same one line', async () => {
    const d = workspace({ 'p.xreg': small(4) });
    const out = path.join(d, 'locked');
    mkdirSync(out);
    chmodSync(out, 0o500);
    try {
      const r = await go({ file: path.join(d, 'p.xreg'), out });
      // root ignores permission bits: then the run simply trains.
      if (process.getuid?.() === 0) expect(r.code).toBe(0);
      else expect(r.errors).toEqual([expect.stringMatching(/^error: cannot write in .*locked: permission denied \(EACCES\)$/)]);
    } finally {
      chmodSync(out, 0o700);
    }
  });

  it('xreg plot creates figures/ in a run folder that has none', async () => {
    const d = workspace({ 'p.xreg': small(4) });
    const out = path.join(d, 'out');
    expect((await go({ file: path.join(d, 'p.xreg'), out })).code).toBe(0);
    expect(existsSync(path.join(out, 'figures'))).toBe(false);
    expect(await plotCommand(out, {}, { out: () => undefined, err: () => undefined })).toBe(0);
    expect(readdirSync(path.join(out, 'figures'))).toContain('index.html');
  });
});

/** Writes zeros into `dir/name` until the disk is full (ENOSPC is the point). */
const fill = (dir: string, name: string): void => {
  spawnSync('sh', ['-c', `dd if=/dev/zero of=${path.join(dir, name)} bs=1k 2>/dev/null; true`]);
};
