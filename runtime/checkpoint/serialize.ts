/** A Snapshot (tensors and plain data) to a checkpoint's header and blob, and back. */
import * as tf from '@tensorflow/tfjs-core';
import * as E from 'fp-ts/lib/Either.js';
import type { RunState } from '../../compiler/lower/types.js';
import type { OptState } from '../../stdlib/types.js';
import { sweepFields, type MemberState } from '../exec/member.js';
import type { Snapshot } from '../exec/snapshot.js';
import { FORMAT_VERSION, type Header, type MemberC, type TensorEntry } from './format.js';

export interface Identity {
  /** SHA-256 of the program text. */
  readonly program: string;
  readonly seed: number;
}

export const snapshotToFile = (s: Snapshot, id: Identity): { header: Header; blob: Uint8Array } => {
  const tensors: TensorEntry[] = [];
  const chunks: Uint8Array[] = [];
  let offset = 0;
  const put = (x: tf.Tensor): number => {
    const dtype = x.dtype === 'int32' || x.dtype === 'bool' ? x.dtype : 'float32';
    const values = x.dataSync();
    const arr = dtype === 'float32' ? Float32Array.from(values) : Int32Array.from(values);
    const bytes = new Uint8Array(arr.buffer, arr.byteOffset, arr.byteLength);
    tensors.push({ dtype, shape: [...x.shape], offset });
    chunks.push(bytes);
    offset += bytes.length;
    return tensors.length - 1;
  };
  const member = (m: MemberState): MemberC => ({
    index: m.index,
    seed: m.seed,
    ...sweepFields(m),
    step: m.state.step,
    cursors: { ...m.cursors },
    params: Object.fromEntries(Object.entries(m.state.params).map(([k, v]) => [k, put(v)])),
    opt: Object.fromEntries(
      Object.entries(m.state.opt).map(([k, o]) => [k, { t: o.t, slots: Object.fromEntries(Object.entries(o.slots).map(([n, xs]) => [n, xs.map(put)])) }]),
    ),
    helpers: Object.fromEntries(Object.entries(m.state.helpers).map(([k, h]) => [k, Object.fromEntries(Object.entries(h).map(([n, v]) => [n, put(v)]))])),
  });
  const live = s.live.map(member);
  const blob = new Uint8Array(offset);
  let at = 0;
  for (const c of chunks) {
    blob.set(c, at);
    at += c.length;
  }
  const header: Header = {
    format: FORMAT_VERSION,
    program: id.program,
    seed: id.seed,
    step: live.length === 0 ? 0 : Math.min(...live.map((m) => m.step)),
    created: new Date().toISOString(),
    blobBytes: blob.length,
    tensors,
    snapshot: {
      mode: s.mode,
      total: s.total,
      live,
      finished: s.finished.map((f) => ({ ...f, final: { ...f.final }, best: { ...f.best } })),
      liveStats: Object.fromEntries(Object.entries(s.liveStats).map(([k, v]) => [k, { final: { ...v.final }, best: { ...v.best } }])),
      records: s.records,
      exploitedAt: s.exploitedAt,
      ...(s.exploits !== undefined ? { exploits: [...s.exploits] } : {}),
    },
  };
  return { header, blob };
};

/** Rebuilds the snapshot's tensors from the blob; a bad tensor reference is an error, not a crash. */
export const fileToSnapshot = (header: Header, blob: Buffer): E.Either<string, Snapshot> => {
  const made: tf.Tensor[] = [];
  const get = (i: number): tf.Tensor => {
    const e = header.tensors[i];
    if (e === undefined) throw new RangeError(`tensor #${i} is not in the tensor table`);
    const size = e.shape.reduce((a, b) => a * b, 1);
    if (e.offset < 0 || e.offset + 4 * size > blob.length) throw new RangeError(`tensor #${i} runs past the end of the blob`);
    const bytes = new Uint8Array(blob.buffer, blob.byteOffset + e.offset, 4 * size).slice();
    const x =
      e.dtype === 'float32' ? tf.tensor(new Float32Array(bytes.buffer), e.shape, 'float32') : tf.tensor(new Int32Array(bytes.buffer), e.shape, e.dtype);
    made.push(x);
    return x;
  };
  const member = (m: MemberC): MemberState => {
    const state: RunState = {
      step: m.step,
      params: Object.fromEntries(Object.entries(m.params).map(([k, i]) => [k, get(i)])),
      opt: Object.fromEntries(
        Object.entries(m.opt).map(([k, o]): [string, OptState] => [k, { t: o.t, slots: Object.fromEntries(Object.entries(o.slots).map(([n, xs]) => [n, xs.map(get)])) }]),
      ),
      helpers: Object.fromEntries(Object.entries(m.helpers).map(([k, h]) => [k, Object.fromEntries(Object.entries(h).map(([n, i]) => [n, get(i)]))])),
    };
    return { index: m.index, seed: m.seed, ...sweepFields(m), state, cursors: m.cursors };
  };
  try {
    const s = header.snapshot;
    const liveStats: Snapshot['liveStats'] = Object.fromEntries(Object.entries(s.liveStats).map(([k, v]) => [Number(k), v]));
    return E.right({ mode: s.mode, total: s.total, live: s.live.map(member), finished: s.finished, liveStats, records: s.records, exploitedAt: s.exploitedAt, ...(s.exploits !== undefined ? { exploits: s.exploits } : {}) });
  } catch (e) {
    for (const x of made) x.dispose();
    return E.left(e instanceof Error ? e.message : String(e));
  }
};
