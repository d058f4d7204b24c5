/** `xreg export --safetensors`, parsed back by a reader written from the format's specification. */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import { exportCommand } from '../../cli/commands/export.js';
import { loadCheckpoint } from '../../runtime/checkpoint/store.js';
import { go, workspace } from '../helpers/run-program.js';

/** The spec: u64 LE N, N bytes of JSON, then data; offsets relative to the data start, contiguous, within the file. */
const readSafetensors = (buf: Buffer): Record<string, { dtype: string; shape: number[]; values: number[] }> => {
  const n = Number(buf.readBigUInt64LE(0));
  expect(n % 8).toBe(0);
  const header = JSON.parse(buf.subarray(8, 8 + n).toString('utf8')) as Record<string, { dtype: string; shape: number[]; data_offsets: [number, number] }>;
  const data = buf.subarray(8 + n);
  const out: Record<string, { dtype: string; shape: number[]; values: number[] }> = {};
  let end = 0;
  for (const [k, v] of Object.entries(header)) {
    if (k === '__metadata__') continue;
    const [a, b] = v.data_offsets;
    expect(a).toBe(end);
    end = b;
    expect(b - a).toBe(4 * v.shape.reduce((x, y) => x * y, 1));
    const bytes = data.subarray(a, b);
    const values = Array.from({ length: (b - a) / 4 }, (_, i) => (v.dtype === 'F32' ? bytes.readFloatLE(4 * i) : bytes.readInt32LE(4 * i)));
    out[k] = { dtype: v.dtype, shape: v.shape, values };
  }
  expect(end).toBe(data.length);
  return out;
};

describe('xreg export --safetensors', () => {
  it("writes the final checkpoint's parameters, readable by the spec", async () => {
    const d = workspace({
      'p.xreg': `data d = correlated_features(base: 2, copies: 2, noise: 0.1, n: 60, seed: 1)
split d { train: 1/2, reg: 1/2 } seed 0
param w : Tensor[4] = 0
param b : Scalar = 0
loss fit = mse(x @ w + b, y) over train
update w by sgd(lr: 0.05) on fit
update b by sgd(lr: 0.05) on fit
run 20 steps batch 8
`,
    });
    const out = path.join(d, 'out');
    const r = await go({ file: path.join(d, 'p.xreg'), out });
    expect(r.errors.join('\n')).toBe('');
    const lines: string[] = [];
    expect(await exportCommand(out, { safetensors: true }, (l) => lines.push(l), (l) => lines.push(l))).toBe(0);
    const got = readSafetensors(readFileSync(path.join(out, 'params.safetensors')));
    const ck = await loadCheckpoint(out, {});
    if (E.isLeft(ck)) throw new Error(ck.left);
    const params = ck.right.snapshot.live[0]?.state.params ?? {};
    expect(Object.keys(got).sort()).toEqual(Object.keys(params).sort());
    for (const [k, t] of Object.entries(params)) {
      expect(got[k]?.shape).toEqual(t.shape);
      expect(got[k]?.dtype).toBe('F32');
      expect(got[k]?.values).toEqual(Array.from(t.dataSync()));
    }
  });
});
