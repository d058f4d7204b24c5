/**
 * A run's final parameters as a safetensors file (https://huggingface.co/docs/safetensors): an
 * 8-byte little-endian header length, a JSON header `{name: {dtype, shape, data_offsets}}` padded
 * with spaces to 8 bytes, then the tensors' little-endian bytes back to back.
 */
import * as E from 'fp-ts/lib/Either.js';
import { loadCheckpoint, writeAtomic } from '../checkpoint/store.js';
import * as path from 'node:path';
import { textOrder } from '../../dsl/text-order.js';

export const SAFETENSORS_FILE = 'params.safetensors';

export interface NamedTensor {
  readonly name: string;
  readonly dtype: 'F32' | 'I32';
  readonly shape: readonly number[];
  readonly bytes: Uint8Array;
}

export const encodeSafetensors = (tensors: readonly NamedTensor[], metadata: Readonly<Record<string, string>>): Buffer => {
  const header: Record<string, unknown> = { __metadata__: metadata };
  let at = 0;
  for (const t of tensors) {
    header[t.name] = { dtype: t.dtype, shape: [...t.shape], data_offsets: [at, at + t.bytes.length] };
    at += t.bytes.length;
  }
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - (Buffer.byteLength(json) % 8)) % 8);
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(Buffer.byteLength(json)));
  return Buffer.concat([len, Buffer.from(json, 'utf8'), ...tensors.map((t) => Buffer.from(t.bytes.buffer, t.bytes.byteOffset, t.bytes.length))]);
};

/** Writes DIR/params.safetensors from the run's checkpoint: its live members' parameters (`m<i>/` prefixed when several). */
export const exportSafetensors = async (dir: string): Promise<E.Either<string, string>> => {
  const ck = await loadCheckpoint(dir, {});
  if (E.isLeft(ck)) return ck;
  const live = ck.right.snapshot.live;
  const tensors: NamedTensor[] = live.flatMap((m) =>
    Object.entries(m.state.params)
      .sort(([a], [b]) => textOrder(a, b))
      .map(([name, x]): NamedTensor => {
        const data = x.dtype === 'int32' ? Int32Array.from(x.dataSync()) : Float32Array.from(x.dataSync());
        return { name: live.length > 1 ? `m${m.index}/${name}` : name, dtype: x.dtype === 'int32' ? 'I32' : 'F32', shape: x.shape, bytes: new Uint8Array(data.buffer) };
      }),
  );
  for (const m of live) for (const x of Object.values(m.state.params)) x.dispose();
  const file = path.join(dir, SAFETENSORS_FILE);
  await writeAtomic(file, encodeSafetensors(tensors, { format: 'pt', step: String(ck.right.header.step), seed: String(ck.right.header.seed) }));
  return E.right(file);
};
