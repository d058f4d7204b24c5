/**
 * The checkpoint file: magic, header length, a JSON header (decoded with io-ts on load), a blob of
 * tensor bytes, and a SHA-256 of everything before it, so truncation and corruption are caught
 * before any byte is trusted.
 *
 *   "XREGCKP1" | u32 LE header length | header JSON (UTF-8) | blob | sha256(all before) (32 bytes)
 */
import { createHash } from 'node:crypto';
import * as E from 'fp-ts/lib/Either.js';
import { pipe } from 'fp-ts/lib/function.js';
import * as t from 'io-ts';
import { formatErrors } from '../plot/decode.js';
import { decodeNumber, encodeNumber } from '../results/numbers.js';

export const MAGIC = 'XREGCKP1';
export const FORMAT_VERSION = 1;
const DIGEST = 32;

export const TensorEntry = t.type({
  dtype: t.keyof({ float32: null, int32: null, bool: null }),
  shape: t.array(t.number),
  /** Byte offset in the blob; every entry holds 4 bytes per element. */
  offset: t.number,
});
export type TensorEntry = t.TypeOf<typeof TensorEntry>;

const CursorC = t.type({ epoch: t.number, position: t.number });

/**
 * A number that may be NaN or ±Infinity (a diverged metric): JSON has no such numbers and writes
 * them as null, so they travel as the strings "NaN", "Infinity", "-Infinity".
 */
export const AnyNumber = new t.Type<number, number | string, unknown>(
  'number (or "NaN", "Infinity", "-Infinity")',
  (u): u is number => typeof u === 'number',
  (u, c) => {
    const v = decodeNumber(u);
    return v !== undefined ? t.success(v) : t.failure(u, c);
  },
  encodeNumber,
);

const Values = t.record(t.string, AnyNumber);

/** A run state with each tensor replaced by its index in the tensor table. */
export const MemberC = t.intersection([
  t.type({
    index: t.number,
    seed: t.number,
    step: t.number,
    cursors: t.record(t.string, CursorC),
    params: t.record(t.string, t.number),
    opt: t.record(t.string, t.type({ t: t.number, slots: t.record(t.string, t.array(t.number)) })),
    helpers: t.record(t.string, t.record(t.string, t.number)),
  }),
  t.partial({ sweepValue: t.number, sweepValues: t.record(t.string, t.number) }),
]);
export type MemberC = t.TypeOf<typeof MemberC>;

export const FinishedC = t.intersection([
  t.type({ index: t.number, seed: t.number, final: Values, best: Values }),
  t.partial({ sweepValue: t.number, sweepValues: t.record(t.string, t.number) }),
]);

/** A population's exploit event (runtime/exec/pbt.ts), kept so a resumed run's manifest lists them all. */
export const ExploitC = t.type({
  step: t.number,
  from: t.number,
  to: t.number,
  scores: t.type({ from: AnyNumber, to: AnyNumber }),
  hyper: t.record(t.string, t.type({ old: t.array(AnyNumber), new: t.array(AnyNumber) })),
});

export const Header = t.type({
  format: t.literal(FORMAT_VERSION),
  /** SHA-256 of the program text. */
  program: t.string,
  seed: t.number,
  /** The step of the (slowest) live member, for messages. */
  step: t.number,
  created: t.string,
  blobBytes: t.number,
  tensors: t.array(TensorEntry),
  snapshot: t.intersection([
    t.type({
      mode: t.keyof({ single: null, sweep: null, ensemble: null, population: null, seeds: null }),
      total: t.number,
      live: t.array(MemberC),
      finished: t.array(FinishedC),
      liveStats: t.record(t.string, t.type({ final: Values, best: Values })),
      records: t.number,
      exploitedAt: t.number,
    }),
    t.partial({ exploits: t.array(ExploitC) }),
  ]),
});
export type Header = t.TypeOf<typeof Header>;

const sha256 = (b: Uint8Array): Buffer => createHash('sha256').update(b).digest();

export const encodeFile = (header: Header, blob: Uint8Array): Buffer => {
  const json = Buffer.from(JSON.stringify(Header.encode(header)), 'utf8');
  const len = Buffer.alloc(4);
  len.writeUInt32LE(json.length, 0);
  const body = Buffer.concat([Buffer.from(MAGIC, 'ascii'), len, json, blob]);
  return Buffer.concat([body, sha256(body)]);
};

/** Header and blob of a checkpoint file, or why it cannot be trusted. */
export const decodeFile = (buf: Buffer): E.Either<string, { header: Header; blob: Buffer }> => {
  if (buf.length < MAGIC.length + 4 + DIGEST || buf.subarray(0, MAGIC.length).toString('ascii') !== MAGIC) {
    return E.left('not an xreg checkpoint (bad magic or too short)');
  }
  const body = buf.subarray(0, buf.length - DIGEST);
  if (!sha256(body).equals(buf.subarray(buf.length - DIGEST))) {
    return E.left('checksum mismatch: the file is truncated or corrupt');
  }
  const hlen = buf.readUInt32LE(MAGIC.length);
  const hstart = MAGIC.length + 4;
  if (hstart + hlen > body.length) return E.left('header length runs past the end of the file');
  let raw: unknown;
  try {
    raw = JSON.parse(body.subarray(hstart, hstart + hlen).toString('utf8'));
  } catch (e) {
    return E.left(`header is not valid JSON (${e instanceof Error ? e.message : String(e)})`);
  }
  return pipe(
    Header.decode(raw),
    E.mapLeft((errs) => `header does not match checkpoint format ${FORMAT_VERSION}: ${formatErrors(errs).split('; ').slice(0, 3).join('; ')}`),
    E.chain((header) => {
      const blob = body.subarray(hstart + hlen);
      return blob.length === header.blobBytes ? E.right({ header, blob }) : E.left(`blob holds ${blob.length} bytes, the header says ${header.blobBytes}`);
    }),
  );
};
