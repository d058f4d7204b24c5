/**
 * `runProgram` on small programs written to a temp folder: failures end as one message, an exit
 * code and a manifest that says why, never as a stack trace or a manifest stuck at "running".
 */
import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { go, workspace } from '../helpers/run-program.js';

const manifestOf = (out: string): Record<string, unknown> => JSON.parse(readFileSync(path.join(out, 'manifest.json'), 'utf8')) as Record<string, unknown>;

const csv3 = 'a,b,c,y\n1,2,3,4\n2,3,4,5\n3,1,2,6\n4,4,1,5\n0,1,1,2\n2,2,2,3\n';
const program = (width: number): string => `data d = csv("small.csv", target: "y")
split d { train: 0.5, reg: 0.5 } seed 0
param w : Tensor[${width}] = 0
loss fit = mse(x @ w, y) over train
update w by sgd(lr: 0.01) on fit
run 5 steps batch 2
`;

describe('run failures', () => {
  it('refuses a CSV whose width contradicts the program before training, naming data set, field, shapes and file', async () => {
    const d = workspace({ 'small.csv': csv3, 'p.xreg': program(4) });
    const out = path.join(d, 'out');
    const r = await go({ file: path.join(d, 'p.xreg'), out });
    expect(r.code).toBe(1);
    const msg = r.errors.join('\n');
    expect(msg).toMatch(/data set d/);
    expect(msg).toMatch(/field x/);
    expect(msg).toContain('[3]');
    expect(msg).toContain('[4]');
    expect(msg).toContain('small.csv');
  });

  it('the same program with a matching width trains', async () => {
    const d = workspace({ 'small.csv': csv3, 'p.xreg': program(3) });
    const r = await go({ file: path.join(d, 'p.xreg'), out: path.join(d, 'out') });
    expect(r.errors.join('\n')).toBe('');
    expect(r.code).toBe(0);
  });

  it('an error thrown during training is one line, exit 1, and a manifest saying failed with the reason', async () => {
    const d = workspace({ 'small.csv': csv3, 'p.xreg': program(3) });
    const out = path.join(d, 'out');
    const r = await go(
      { file: path.join(d, 'p.xreg'), out },
      {
        onStep: (m) => {
          if (m.state.step === 3) throw new Error('boom');
        },
      },
    );
    expect(r.code).toBe(1);
    expect(r.errors).toEqual(['error: training failed at step 3: boom']);
    const m = manifestOf(out);
    expect(m['outcome']).toBe('failed');
    expect(m['error']).toBe('training failed at step 3: boom');
  });
});

const diverging = `data d = correlated_features(base: 2, copies: 2, noise: 0.1, n: 60, seed: 1)
split d { train: 1/2, reg: 1/2 } seed 0
param w : Tensor[4] = 0
loss fit = mse(x @ w, y) over train
update w by sgd(lr: 0.1) on fit
run 20 steps batch 8
report every 5 steps: fit, bad = log(l1(w) - 100)
`;

describe('checkpoints with non-finite values', () => {
  it('a NaN metric survives checkpoint and resume, and the resumed records match an uninterrupted run', async () => {
    const d = workspace({ 'nan.xreg': diverging });
    const file = path.join(d, 'nan.xreg');
    const whole = path.join(d, 'whole');
    expect((await go({ file, out: whole })).code).toBe(0);
    const out = path.join(d, 'out');
    let at = 0;
    const first = await go({ file, out, checkpointEvery: 5 }, { onStep: (m) => (at = m.state.step), shouldStop: () => at >= 10 });
    expect(first.code).toBe(130);
    const second = await go({ file, resume: out, checkpointEvery: 5 });
    expect(second.errors.join('\n')).toBe('');
    expect(second.code).toBe(0);
    const lines = (dir: string) => readFileSync(path.join(dir, 'metrics.jsonl'), 'utf8').split('\n').filter((l) => l !== '').map((l) => { const r = JSON.parse(l) as Record<string, unknown>; delete r['time']; delete r['seconds']; return r; });
    expect(lines(out)).toEqual(lines(whole));
  });

  it('a header that does not decode is refused with a short message naming the place', async () => {
    const { createHash } = await import('node:crypto');
    const { decodeFile, MAGIC } = await import('../../runtime/checkpoint/format.js');
    const json = Buffer.from(JSON.stringify({ format: 1, program: 'x', seed: 1, step: 0, created: 'now', blobBytes: 0, tensors: [], snapshot: { mode: 'single', total: 1, live: [], finished: [], liveStats: { '0': { final: { fit: 'oops'.repeat(500) }, best: {} } }, records: 0, exploitedAt: 0 } }));
    const len = Buffer.alloc(4);
    len.writeUInt32LE(json.length, 0);
    const body = Buffer.concat([Buffer.from(MAGIC, 'ascii'), len, json]);
    const r = decodeFile(Buffer.concat([body, createHash('sha256').update(body).digest()]));
    if (r._tag === 'Right') throw new Error('decoded');
    expect(r.left).toContain('snapshot.liveStats.0.final.fit');
    expect(r.left.length).toBeLessThan(300);
  });
});

const widthProgram = `data d = correlated_features(base: 2, copies: 2, noise: 0.1, n: 60, seed: 1)
split d { train: 1/2, reg: 1/2 } seed 0
let h = 4
model net(x) = x |> dense(h) |> relu |> dense(1)
loss fit = mse(net(x), y) over train
update params(net) by sgd(lr: 0.1) on fit
run 20 steps batch 8
report every 5 steps: fit
`;

const evalProgram = `data d = correlated_features(base: 2, copies: 2, noise: 0.1, n: 90, seed: 1)
split d { train: 1/3, reg: 1/3, test: 1/3 } seed 0
model net(x) = x |> dense(6) |> relu |> dense(1)
loss fit = mse(net(x), y) over train
update params(net) by adam(lr: 0.01) on fit
metric tm = mse(net(x), y) over test
run 20 steps batch 8
report every 5 steps: fit, tm
`;

const records = (dir: string): Record<string, unknown>[] =>
  readFileSync(path.join(dir, 'metrics.jsonl'), 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>);

describe('resume identity', () => {
  it('refuses a resume with other --set values, naming them; without --set it uses the saved ones', async () => {
    const d = workspace({ 'p.xreg': widthProgram });
    const file = path.join(d, 'p.xreg');
    const out = path.join(d, 'out');
    let at = 0;
    const first = await go({ file, out, set: { h: 4 }, checkpointEvery: 5 }, { onStep: (m) => (at = m.state.step), shouldStop: () => at >= 10 });
    expect(first.code).toBe(130);
    const bad = await go({ file, resume: out, set: { h: 8 } });
    expect(bad.code).toBe(1);
    expect(bad.errors.join('\n')).toMatch(/h=4 \(now 8\)/);
    const good = await go({ file, resume: out });
    expect(good.errors.join('\n')).toBe('');
    expect(good.code).toBe(0);
  });

  it('a checkpoint whose tensors do not fit the program as compiled now is refused', async () => {
    const { readFileSync: rf } = await import('node:fs');
    const E = await import('fp-ts/lib/Either.js');
    const { compileText } = await import('../../compiler/compile.js');
    const { lowerProgram } = await import('../../compiler/lower/index.js');
    const { standardLibrary } = await import('../../stdlib/registry.js');
    const { loadCheckpoint } = await import('../../runtime/checkpoint/store.js');
    const { checkSnapshot } = await import('../../runtime/exec/check-resume.js');
    const d = workspace({ 'p.xreg': widthProgram });
    const file = path.join(d, 'p.xreg');
    const out = path.join(d, 'out');
    let at = 0;
    expect((await go({ file, out, checkpointEvery: 5 }, { onStep: (m) => (at = m.state.step), shouldStop: () => at >= 10 })).code).toBe(130);
    const ck = await loadCheckpoint(out, {});
    if (E.isLeft(ck)) throw new Error(ck.left);
    const lowerWith = (h: number) => {
      const c = compileText(rf(file, 'utf8'), file, { readFile: (p: string) => E.right(rf(p, 'utf8')), overrides: { h } });
      if (c.ir === undefined) throw new Error('compile');
      const l = lowerProgram(c.ir, standardLibrary, { stepsPerEpoch: 4 });
      if (E.isLeft(l)) throw new Error('lower');
      return l.right;
    };
    // Only the shapes differ here: the other facts are the run's own.
    const splits = Object.keys(ck.right.snapshot.live[0]?.cursors ?? {}).map((k) => k.replace(/^\w+:/, '').replace(/#.*/, ''));
    const facts = { mode: 'single', members: 1, splitSizes: Object.fromEntries(splits.map((k) => [k, 1000])), maxSteps: 1e6 };
    expect(checkSnapshot(lowerWith(4), ck.right.snapshot, ck.right.header.seed, facts)).toBeUndefined();
    expect(checkSnapshot(lowerWith(8), ck.right.snapshot, ck.right.header.seed, facts)).toMatch(/shape \[4(, 4)?\] in the checkpoint but \[8/);
  });

  it('--eval-limit carries over to a resume: records equal an uninterrupted run', async () => {
    const d = workspace({ 'p.xreg': evalProgram });
    const file = path.join(d, 'p.xreg');
    const whole = path.join(d, 'whole');
    expect((await go({ file, out: whole, evalLimit: 5 })).code).toBe(0);
    const out = path.join(d, 'out');
    let at = 0;
    const first = await go({ file, out, evalLimit: 5, checkpointEvery: 5 }, { onStep: (m) => (at = m.state.step), shouldStop: () => at >= 10 });
    expect(first.code).toBe(130);
    expect((await go({ file, resume: out })).code).toBe(0);
    const strip = (rs: Record<string, unknown>[]) => rs.map(({ step, tm, fit }) => ({ step, tm, fit }));
    expect(strip(records(out))).toEqual(strip(records(whole)));
  });
});

describe('warnings', () => {
  it('an unknown --set is reported as a warning on the error stream and the run goes on', async () => {
    const d = workspace({ 'p.xreg': widthProgram });
    const r = await go({ file: path.join(d, 'p.xreg'), out: path.join(d, 'out'), set: { nosuch: 3 } });
    expect(r.code).toBe(0);
    expect(r.errors.join('\n')).toMatch(/warning/);
    expect(r.errors.join('\n')).toMatch(/nosuch/);
  });
});

describe('resuming a completed run', () => {
  it('says so, exits 0 and leaves the records alone', async () => {
    const d = workspace({ 'p.xreg': widthProgram });
    const file = path.join(d, 'p.xreg');
    const out = path.join(d, 'out');
    expect((await go({ file, out, checkpointEvery: 5 })).code).toBe(0);
    const before = readFileSync(path.join(out, 'metrics.jsonl'), 'utf8');
    let steps = 0;
    const r = await go({ file, resume: out }, { onStep: () => steps++ });
    expect(r.code).toBe(0);
    expect(steps).toBe(0);
    expect(r.info.join('\n')).toMatch(/already completed/);
    expect(readFileSync(path.join(out, 'metrics.jsonl'), 'utf8')).toBe(before);
  });
});
