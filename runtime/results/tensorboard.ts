/**
 * A run's logged values as a TensorBoard event file, so `tensorboard --logdir DIR/tensorboard`
 * shows every scalar of metrics.jsonl. The format is TFRecord (per record: the length as a
 * little-endian uint64, the masked CRC-32C of those 8 bytes, the data, the masked CRC-32C of the
 * data) holding `Event` protocol buffers (tensorflow/core/util/event.proto): the first carries the
 * file version, each later one a `Summary` of simple scalar values for one logged step. The few
 * protobuf fields are encoded by hand rather than through a protobuf library: four messages, six
 * fields.
 */
import * as E from 'fp-ts/lib/Either.js';
import { mkdir, readFile } from 'node:fs/promises';
import * as path from 'node:path';
import { writeAtomic } from '../checkpoint/store.js';
import { readManifest } from './manifest.js';
import { decodeNumber } from './numbers.js';

export const TENSORBOARD_DIR = 'tensorboard';

const CRC32C_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0x82f63b78 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

/** CRC-32C (Castagnoli), the checksum TFRecord uses. */
export const crc32c = (bytes: Uint8Array): number => {
  let c = 0xffffffff;
  for (const b of bytes) c = (CRC32C_TABLE[(c ^ b) & 0xff] as number) ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
};

/** TFRecord's masking: rotate right by 15 and add a constant, so a CRC of CRCs is not a CRC. */
const masked = (crc: number): number => ((((crc >>> 15) | (crc << 17)) >>> 0) + 0xa282ead8) >>> 0;

export const tfRecord = (data: Uint8Array): Buffer => {
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(data.length));
  const crcOf = (b: Uint8Array): Buffer => {
    const out = Buffer.alloc(4);
    out.writeUInt32LE(masked(crc32c(b)));
    return out;
  };
  return Buffer.concat([len, crcOf(len), Buffer.from(data), crcOf(data)]);
};

const varint = (n: number | bigint): Buffer => {
  let v = BigInt.asUintN(64, BigInt(n));
  const out: number[] = [];
  do {
    const b = Number(v & 0x7fn);
    v >>= 7n;
    out.push(v > 0n ? b | 0x80 : b);
  } while (v > 0n);
  return Buffer.from(out);
};
const key = (field: number, wire: 0 | 1 | 2 | 5): Buffer => varint((field << 3) | wire);
const bytesField = (field: number, b: Uint8Array): Buffer => Buffer.concat([key(field, 2), varint(b.length), Buffer.from(b)]);
const doubleField = (field: number, x: number): Buffer => {
  const b = Buffer.alloc(8);
  b.writeDoubleLE(x);
  return Buffer.concat([key(field, 1), b]);
};
const floatField = (field: number, x: number): Buffer => {
  const b = Buffer.alloc(4);
  b.writeFloatLE(x);
  return Buffer.concat([key(field, 5), b]);
};

/** Event { wall_time = 1 (double); step = 2 (int64); file_version = 3 (string) | summary = 5 }. */
export const fileVersionEvent = (wallTime: number): Buffer => Buffer.concat([doubleField(1, wallTime), bytesField(3, Buffer.from('brain.Event:2', 'utf8'))]);

/** Summary { repeated Value value = 1 }, Value { tag = 1 (string); simple_value = 2 (float) }. */
export const scalarsEvent = (wallTime: number, step: number, scalars: readonly (readonly [string, number])[]): Buffer => {
  const values = scalars.map(([tag, v]) => bytesField(1, Buffer.concat([bytesField(1, Buffer.from(tag, 'utf8')), floatField(2, v)])));
  return Buffer.concat([doubleField(1, wallTime), key(2, 0), varint(step), bytesField(5, Buffer.concat(values))]);
};

/** Fields of a metrics.jsonl record that place it rather than measure something. */
const PLACING = new Set(['step', 'epoch', 'member']);

/** The scalars of one metrics.jsonl record, tagged `member<i>/name` when the run has several models. */
export const scalarsOf = (row: Readonly<Record<string, unknown>>): [string, number][] => {
  const member = typeof row['member'] === 'number' ? `member${row['member']}/` : '';
  return Object.entries(row).flatMap(([k, v]): [string, number][] => {
    if (PLACING.has(k)) return [];
    const x = decodeNumber(v);
    return x === undefined ? [] : [[`${member}${k}`, x]];
  });
};

/**
 * Writes DIR/tensorboard/events.out.tfevents.<seconds>.xreg from DIR/metrics.jsonl; the events'
 * wall time is the run's start (metrics.jsonl records no time per line).
 */
export const exportTensorboard = async (dir: string): Promise<E.Either<string, string>> => {
  let text: string;
  try {
    text = await readFile(path.join(dir, 'metrics.jsonl'), 'utf8');
  } catch {
    return E.left(`${dir} holds no metrics.jsonl: is it a run folder?`);
  }
  const manifest = await readManifest(dir);
  const started = manifest !== undefined ? Date.parse(manifest.started) : NaN;
  const wall = (Number.isFinite(started) ? started : Date.now()) / 1000;
  const records: Buffer[] = [tfRecord(fileVersionEvent(wall))];
  let line = 0;
  for (const l of text.split('\n')) {
    line++;
    if (l.trim() === '') continue;
    let row: unknown;
    try {
      row = JSON.parse(l);
    } catch {
      return E.left(`${path.join(dir, 'metrics.jsonl')}:${line}: not a JSON record`);
    }
    if (typeof row !== 'object' || row === null || typeof (row as Record<string, unknown>)['step'] !== 'number')
      return E.left(`${path.join(dir, 'metrics.jsonl')}:${line}: a record without a step`);
    const r = row as Record<string, unknown>;
    records.push(tfRecord(scalarsEvent(wall, r['step'] as number, scalarsOf(r))));
  }
  const file = path.join(dir, TENSORBOARD_DIR, `events.out.tfevents.${Math.floor(wall)}.xreg`);
  try {
    await mkdir(path.dirname(file), { recursive: true });
    await writeAtomic(file, Buffer.concat(records));
  } catch (e) {
    return E.left(`cannot write ${file}: ${e instanceof Error ? e.message : String(e)}`);
  }
  return E.right(file);
};
