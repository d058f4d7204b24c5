/**
 * The final checkpoints of a population's parts joined into the one the whole run writes: every
 * member, in member order, with their tensors laid out in the order `snapshotToFile` writes them
 * (member after member; parameters, optimizer slots, helpers), so the joined file holds the same
 * header and the same blob bytes as the one-process run's (its `created` time aside). Works on the
 * files' bytes alone: merging needs no tensor backend.
 */
import * as E from 'fp-ts/lib/Either.js';
import type { ExploitEvent } from '../exec/pbt.js';
import type { Header, MemberC, TensorEntry } from './format.js';

export interface CheckpointFile {
  readonly header: Header;
  readonly blob: Uint8Array;
}

/** Copies one member's tensors into `out`, returning it with indices into the new table. */
const moveMember = (m: MemberC, from: CheckpointFile, out: { tensors: TensorEntry[]; chunks: Uint8Array[]; offset: number }): MemberC => {
  const take = (i: number): number => {
    const e = from.header.tensors[i];
    if (e === undefined) throw new RangeError(`tensor #${i} of member ${m.index} is not in its tensor table`);
    const bytes = 4 * e.shape.reduce((a, b) => a * b, 1);
    if (e.offset < 0 || e.offset + bytes > from.blob.length) throw new RangeError(`tensor #${i} of member ${m.index} runs past the end of its blob`);
    out.chunks.push(from.blob.subarray(e.offset, e.offset + bytes));
    out.tensors.push({ dtype: e.dtype, shape: [...e.shape], offset: out.offset });
    out.offset += bytes;
    return out.tensors.length - 1;
  };
  const mapValues = <A, B>(r: Readonly<Record<string, A>>, f: (a: A) => B): Record<string, B> => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, f(v)]));
  return {
    ...m,
    params: mapValues(m.params, take),
    opt: mapValues(m.opt, (o) => ({ t: o.t, slots: mapValues(o.slots, (xs) => xs.map(take)) })),
    helpers: mapValues(m.helpers, (h) => mapValues(h, take)),
  };
};

/**
 * One population checkpoint from its parts' final ones. `exploitOrder` puts the exploit events of
 * all parts in the order one process records them (runtime/merge.ts). Refuses parts that disagree
 * on program, seed or length, or that hold a member twice.
 */
export const joinCheckpoints = (
  parts: readonly CheckpointFile[],
  exploitOrder: (events: readonly ExploitEvent[]) => ExploitEvent[],
  created: string,
): E.Either<string, CheckpointFile> => {
  const first = parts[0];
  if (first === undefined) return E.left('no checkpoints to join');
  for (const p of parts) {
    const h = p.header;
    if (h.snapshot.mode !== 'population') return E.left(`a part's checkpoint holds a ${h.snapshot.mode}, not a population`);
    if (h.program !== first.header.program || h.seed !== first.header.seed || h.snapshot.total !== first.header.snapshot.total) {
      return E.left("the parts' checkpoints belong to different runs (program, seed or length)");
    }
  }
  const members = parts.flatMap((p) => p.header.snapshot.live.map((m) => ({ m, p }))).sort((a, b) => a.m.index - b.m.index);
  for (let i = 1; i < members.length; i++) {
    if (members[i]?.m.index === members[i - 1]?.m.index) return E.left(`member ${String(members[i]?.m.index)} is in two parts' checkpoints`);
  }
  const out = { tensors: [] as TensorEntry[], chunks: [] as Uint8Array[], offset: 0 };
  let live: MemberC[];
  try {
    live = members.map(({ m, p }) => moveMember(m, p, out));
  } catch (e) {
    return E.left(e instanceof Error ? e.message : String(e));
  }
  const blob = new Uint8Array(out.offset);
  let at = 0;
  for (const c of out.chunks) {
    blob.set(c, at);
    at += c.length;
  }
  const snaps = parts.map((p) => p.header.snapshot);
  const exploits = exploitOrder(snaps.flatMap((s) => s.exploits ?? []));
  const header: Header = {
    format: first.header.format,
    program: first.header.program,
    seed: first.header.seed,
    step: live.length === 0 ? 0 : Math.min(...live.map((m) => m.step)),
    created,
    blobBytes: blob.length,
    tensors: out.tensors,
    snapshot: {
      mode: 'population',
      total: first.header.snapshot.total,
      live,
      finished: snaps.flatMap((s) => s.finished),
      liveStats: Object.fromEntries(
        snaps
          .flatMap((s) => Object.entries(s.liveStats))
          .sort(([a], [b]) => Number(a) - Number(b)),
      ),
      records: snaps.reduce((a, s) => a + s.records, 0),
      exploitedAt: Math.max(...snaps.map((s) => s.exploitedAt)),
      ...(snaps.some((s) => s.exploits !== undefined) ? { exploits } : {}),
    },
  };
  return E.right({ header, blob });
};
