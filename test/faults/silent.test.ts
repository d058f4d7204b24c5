/**
 * No silent bad results: a diverging run says where, a tampered checkpoint is refused field by
 * field, absurd lengths are refused before any work, and NaN/±Infinity are written one way.
 */
import * as E from 'fp-ts/lib/Either.js';
import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { go, workspace } from '../helpers/run-program.js';
import { checkpointPath } from '../../runtime/checkpoint/store.js';
import { decodeFile, encodeFile, type Header } from '../../runtime/checkpoint/format.js';
import { recordLine } from '../../runtime/results/metrics.js';

const program = (opt: string, steps = 20): string => `data d = correlated_features(base: 2, copies: 2, noise: 0.1, n: 60, seed: 1)
split d { train: 1/2, reg: 1/2 } seed 0
param w : Tensor[4] = 0.5
loss fit = mse(x @ w, y) over train
update w by ${opt} on fit
run ${steps} steps batch 8
report every 2 steps: fit
`;

const manifestOf = (out: string): Record<string, unknown> => JSON.parse(readFileSync(path.join(out, 'manifest.json'), 'utf8')) as Record<string, unknown>;

describe('divergence', () => {
  it('sgd(lr: 1e6): the first non-finite update is named with its step, rule and loss; the run is marked diverged, exit 1', async () => {
    const d = workspace({ 'p.xreg': program('sgd(lr: 1e6)') });
    const file = path.join(d, 'p.xreg');
    const out = path.join(d, 'out');
    const r = await go({ file, out });
    expect(r.code).toBe(1);
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0]).toMatch(/^error: diverged at step \d+: (the loss fit is (Infinity|NaN) \(its update is at .*p\.xreg:5:1\)(; the first value that is not finite: the call mse\(…\) at .*p\.xreg:4:12)?|the update at .*p\.xreg:5:1 \(on loss fit\) made w NaN or infinite); the run is marked diverged/);
    const m = manifestOf(out);
    expect(m['outcome']).toBe('diverged');
    const dvs = m['divergences'] as { step: number; loss: string }[];
    expect(dvs).toHaveLength(1);
    const dv = dvs[0] ?? { step: 0, loss: '' };
    expect(dv.loss).toBe('fit');
    // An independent look: every record before that step is finite, so it is the first.
    const lines = readFileSync(path.join(out, 'metrics.jsonl'), 'utf8').trim().split('\n').filter((l) => l !== '');
    for (const l of lines) {
      const rec = JSON.parse(l) as { step: number; fit: unknown };
      expect(rec.step).toBeLessThanOrEqual(dv.step);
      if (rec.step < dv.step) expect(typeof rec.fit).toBe('number');
    }
  });

  it('--allow-divergence goes on with one warning, records the divergence, and writes NaN as "NaN"', async () => {
    const d = workspace({ 'p.xreg': program('sgd(lr: 1e6)') });
    const out = path.join(d, 'out');
    const r = await go({ file: path.join(d, 'p.xreg'), out, allowDivergence: true });
    expect(r.code).toBe(0);
    expect(r.errors.filter((l) => l.startsWith('warning: diverged'))).toHaveLength(1);
    const m = manifestOf(out);
    expect(m['outcome']).toBe('completed');
    expect((m['divergences'] as { loss: string }[])[0]?.loss).toBe('fit');
    const last = readFileSync(path.join(out, 'metrics.jsonl'), 'utf8').trim().split('\n').pop() ?? '';
    expect(last).toMatch(/"fit":"(NaN|Infinity)"/);
  });

  it('a healthy run is not flagged', async () => {
    const d = workspace({ 'p.xreg': program('sgd(lr: 0.05)') });
    const r = await go({ file: path.join(d, 'p.xreg'), out: path.join(d, 'out') });
    expect(r.code).toBe(0);
    expect(r.errors.join('\n')).not.toMatch(/diverg/);
  });
});

describe('NaN and ±Infinity in run files', () => {
  it('metrics.jsonl spells them as the checkpoint does: "NaN", "Infinity", "-Infinity" — three different values', () => {
    const line = recordLine({ step: 1, epoch: 0, values: { a: NaN, b: Infinity, c: -Infinity, d: 1.5 } });
    expect(JSON.parse(line)).toEqual({ step: 1, epoch: 0, a: 'NaN', b: 'Infinity', c: '-Infinity', d: 1.5 });
  });
});

/** Rewrites the checkpoint's header with `edit` and a fresh, valid checksum (a hand-crafted file). */
const tamper = (dir: string, edit: (h: Header) => void): void => {
  const f = checkpointPath(dir);
  const dec = decodeFile(readFileSync(f));
  if (E.isLeft(dec)) throw new Error(dec.left);
  const h = structuredClone(dec.right.header);
  edit(h);
  writeFileSync(f, encodeFile(h, dec.right.blob));
};

describe('a checkpoint with a valid checksum but a field out of range is refused on resume', () => {
  const cases: readonly [string, (h: Header) => void, RegExp][] = [
    [
      'a scalar Adam slot',
      (h) => {
        const slot = Object.values(h.snapshot.live[0]?.opt ?? {})[0]?.slots;
        const first = slot !== undefined ? Object.values(slot)[0]?.[0] : undefined;
        const entry = first !== undefined ? h.tensors[first] : undefined;
        if (entry === undefined) throw new Error('no slot');
        entry.shape = [];
      },
      /optimizer slot of rule .* has shape \[\] in the checkpoint but \[4\]/,
    ],
    [
      'a cursor at example 1e9',
      (h) => {
        const c = Object.values(h.snapshot.live[0]?.cursors ?? {})[0];
        if (c === undefined) throw new Error('no cursor');
        c.position = 1e9;
      },
      /data cursor .* is at example 1000000000, outside 0\.\.30/,
    ],
    [
      't = -100',
      (h) => {
        const o = Object.values(h.snapshot.live[0]?.opt ?? {})[0];
        if (o === undefined) throw new Error('no opt');
        o.t = -100;
      },
      /counts -100 updates, outside 0\.\.10/,
    ],
    [
      'a step past the end',
      (h) => {
        const m = h.snapshot.live[0];
        if (m === undefined) throw new Error('no member');
        m.step = 21;
      },
      /member 0 is at step 21, outside 0\.\.20/,
    ],
    [
      'a run length of 1e12',
      (h) => {
        h.snapshot.total = 1e12;
      },
      /run length 1000000000000 is outside 1\.\.1000000000/,
    ],
    [
      'a member the program does not have',
      (h) => {
        const m = h.snapshot.live[0];
        if (m === undefined) throw new Error('no member');
        m.index = 3;
      },
      /holds member 3, the program has members 0\.\.0/,
    ],
    [
      'a parameter of another shape with as many elements',
      (h) => {
        const i = h.snapshot.live[0]?.params['w'];
        const entry = i !== undefined ? h.tensors[i] : undefined;
        if (entry === undefined) throw new Error('no w');
        entry.shape = [2, 2];
      },
      /parameter w has shape \[2, 2\] in the checkpoint but \[4\]/,
    ],
    [
      'a cursor in epoch 10^6',
      (h) => {
        const c = Object.values(h.snapshot.live[0]?.cursors ?? {})[0];
        if (c === undefined) throw new Error('no cursor');
        c.epoch = 1e6;
      },
      /is in epoch 1000000, impossible after 10 steps/,
    ],
    [
      'a cursor for a split the program does not read',
      (h) => {
        const m = h.snapshot.live[0];
        const [k, c] = Object.entries(m?.cursors ?? {})[0] ?? [];
        if (m === undefined || k === undefined || c === undefined) throw new Error('no cursor');
        m.cursors = { [k.replace('d.train', 'd.test')]: c };
      },
      /has a data cursor for .*d\.test.*, which the program does not read/,
    ],
    [
      'a seed of 0.5',
      (h) => {
        const m = h.snapshot.live[0];
        if (m === undefined) throw new Error('no member');
        m.seed = 0.5;
      },
      /member 0 has seed 0\.5, not an integer/,
    ],
    [
      'a negative count of records',
      (h) => {
        h.snapshot.records = -1;
      },
      /counts -1 metrics records/,
    ],
    [
      'a checkpoint of a population run',
      (h) => {
        h.snapshot.mode = 'population';
      },
      /the checkpoint is of a population run, the program is a single run/,
    ],
  ];
  for (const [what, edit, want] of cases) {
    it(what, async () => {
      const d = workspace({ 'p.xreg': program('adam(lr: 0.01)') });
      const file = path.join(d, 'p.xreg');
      const out = path.join(d, 'out');
      let at = 0;
      expect((await go({ file, out, checkpointEvery: 5 }, { onStep: (m) => (at = m.state.step), shouldStop: () => at >= 10 })).code).toBe(130);
      tamper(out, edit);
      const r = await go({ file, resume: out });
      expect(r.code).toBe(1);
      expect(r.errors).toHaveLength(1);
      expect(r.errors[0]).toMatch(want);
    });
  }
});

describe('absurd lengths', () => {
  it('--steps 10^20 is refused before the folder is made', async () => {
    const d = workspace({ 'p.xreg': program('sgd(lr: 0.05)') });
    const out = path.join(d, 'out');
    const r = await go({ file: path.join(d, 'p.xreg'), out, steps: 1e20 });
    expect(r.code).toBe(1);
    expect(r.errors).toEqual([expect.stringMatching(/the run would take 100,000,000,000,000,000,000 steps; xreg runs at most 1,000,000,000/)]);
  });
  it('a program of 2·10^9 steps is refused the same way', async () => {
    const d = workspace({ 'p.xreg': program('sgd(lr: 0.05)', 2_000_000_000) });
    const r = await go({ file: path.join(d, 'p.xreg'), out: path.join(d, 'out') });
    expect(r.code).toBe(1);
    expect(r.errors.join('\n')).toMatch(/xreg runs at most 1,000,000,000/);
  });
});
