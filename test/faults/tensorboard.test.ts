/**
 * `xreg export --tensorboard`, parsed back by a reader written here from the formats'
 * specifications: TFRecord framing with masked CRC-32C (computed bit by bit, not by the exporter's
 * table) and the protocol buffers of tensorflow/core/util/event.proto and summary.proto.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { exportCommand } from '../../cli/commands/export.js';
import { decodeNumber } from '../../runtime/results/numbers.js';
import { go, workspace } from '../helpers/run-program.js';

const crc32cBitwise = (bytes: Uint8Array): number => {
  let c = 0xffffffff;
  for (const b of bytes) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
  }
  return (c ^ 0xffffffff) >>> 0;
};
const unmask = (m: number): number => {
  const r = (m - 0xa282ead8) >>> 0;
  return ((r << 15) | (r >>> 17)) >>> 0;
};

/** Splits a TFRecord file, checking both CRCs of every record. */
const records = (buf: Buffer): Buffer[] => {
  const out: Buffer[] = [];
  let at = 0;
  while (at < buf.length) {
    const len = Number(buf.readBigUInt64LE(at));
    expect(unmask(buf.readUInt32LE(at + 8))).toBe(crc32cBitwise(buf.subarray(at, at + 8)));
    const data = buf.subarray(at + 12, at + 12 + len);
    expect(unmask(buf.readUInt32LE(at + 12 + len))).toBe(crc32cBitwise(data));
    out.push(data);
    at += 16 + len;
  }
  expect(at).toBe(buf.length);
  return out;
};

type Field = { n: number; wire: number; v: bigint | Buffer };
const fields = (buf: Buffer): Field[] => {
  const out: Field[] = [];
  let at = 0;
  const varint = (): bigint => {
    let v = 0n;
    let shift = 0n;
    for (;;) {
      const b = buf[at++] as number;
      v |= BigInt(b & 0x7f) << shift;
      shift += 7n;
      if ((b & 0x80) === 0) return v;
    }
  };
  while (at < buf.length) {
    const k = Number(varint());
    const n = k >> 3;
    const wire = k & 7;
    if (wire === 0) out.push({ n, wire, v: varint() });
    else if (wire === 1) (out.push({ n, wire, v: buf.subarray(at, at + 8) }), (at += 8));
    else if (wire === 5) (out.push({ n, wire, v: buf.subarray(at, at + 4) }), (at += 4));
    else if (wire === 2) {
      const len = Number(varint());
      out.push({ n, wire, v: buf.subarray(at, at + len) });
      at += len;
    } else throw new Error(`wire type ${wire}`);
  }
  return out;
};
const one = (fs: Field[], n: number): Field | undefined => fs.find((f) => f.n === n);

interface Event {
  wall: number;
  step: number;
  version?: string;
  scalars: Record<string, number>;
}
const readEvent = (data: Buffer): Event => {
  const fs = fields(data);
  const wall = (one(fs, 1)?.v as Buffer).readDoubleLE(0);
  const step = Number((one(fs, 2)?.v as bigint | undefined) ?? 0n);
  const version = one(fs, 3)?.v;
  const scalars: Record<string, number> = {};
  const summary = one(fs, 5)?.v;
  if (summary instanceof Buffer)
    for (const value of fields(summary).filter((f) => f.n === 1)) {
      const vf = fields(value.v as Buffer);
      scalars[(one(vf, 1)?.v as Buffer).toString('utf8')] = (one(vf, 2)?.v as Buffer).readFloatLE(0);
    }
  return { wall, step, ...(version instanceof Buffer ? { version: version.toString('utf8') } : {}), scalars };
};

const exportTo = async (dir: string): Promise<{ code: number; lines: string[]; events: Event[] }> => {
  const lines: string[] = [];
  const code = await exportCommand(dir, { tensorboard: true }, (l) => lines.push(l), (l) => lines.push(l));
  const tb = path.join(dir, 'tensorboard');
  const files = code === 0 ? readdirSync(tb) : [];
  expect(files.length).toBeLessThanOrEqual(1);
  const events = files.flatMap((f) => records(readFileSync(path.join(tb, f))).map(readEvent));
  return { code, lines, events };
};

describe('xreg export --tensorboard', () => {
  it('checks the CRC-32C test vector of the reader itself', () => {
    expect(crc32cBitwise(Buffer.from('123456789'))).toBe(0xe3069283);
  });

  it('every record of metrics.jsonl of a sweep becomes one event, its scalars tagged by member, float32-exact', async () => {
    const d = workspace({
      'p.xreg': `data d = correlated_features(base: 2, copies: 2, noise: 0.1, n: 60, seed: 1)
split d { train: 1/2, reg: 1/2 } seed 0
param w : Tensor[4] = 0
sweep lam in [0.01, 1] {
  loss fit = mse(x @ w, y) + lam * l2(w) over train
  update w by sgd(lr: 0.05) on fit
  metric gen = mse(x @ w, y) over reg
} select lowest gen
run 20 steps batch 8
report every 5 steps: gen, nw = norm(w)
`,
    });
    const out = path.join(d, 'out');
    const r = await go({ file: path.join(d, 'p.xreg'), out });
    expect(r.errors.join('\n')).toBe('');
    const rows = readFileSync(path.join(out, 'metrics.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(rows.length).toBe(8);
    const { code, events } = await exportTo(out);
    expect(code).toBe(0);
    expect(events[0]?.version).toBe('brain.Event:2');
    expect(events.length).toBe(rows.length + 1);
    rows.forEach((row, i) => {
      const e = events[i + 1];
      expect(e?.step).toBe(row['step']);
      const tag = (k: string): string => `member${String(row['member'])}/${k}`;
      for (const k of ['gen', 'nw']) expect(e?.scalars[tag(k)]).toBe(Math.fround(decodeNumber(row[k]) as number));
      expect(Object.keys(e?.scalars ?? {}).some((k) => k.endsWith('/step') || k.endsWith('/member'))).toBe(false);
    });
  });

  it('non-finite values travel as float NaN and infinities; a folder without metrics is one line', async () => {
    const d = workspace({});
    writeFileSync(path.join(d, 'metrics.jsonl'), '{"step":1,"epoch":0,"fit":"NaN","big":"Infinity","low":"-Infinity","ok":0.5}\n');
    const { code, events } = await exportTo(d);
    expect(code).toBe(0);
    const s = events[1]?.scalars ?? {};
    expect(Number.isNaN(s['fit'])).toBe(true);
    expect(s['big']).toBe(Infinity);
    expect(s['low']).toBe(-Infinity);
    expect(s['ok']).toBe(0.5);
    expect(Object.keys(s).sort()).toEqual(['big', 'fit', 'low', 'ok']);

    const empty = workspace({});
    const bad = await exportTo(empty);
    expect(bad.code).toBe(1);
    expect(bad.lines).toEqual([`xreg export: ${empty} holds no metrics.jsonl: is it a run folder?`]);
  });
});
