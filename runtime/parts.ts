/**
 * A sweep run in parts: `--member I` trains member I alone, `--shard I/N` every member whose
 * index is I modulo N (round robin, so a log-spaced sweep's slow and fast members spread evenly).
 * Each part writes its own folder; `xreg merge` puts them together as the whole run would have.
 */
import * as E from 'fp-ts/lib/Either.js';
import type { Mode } from './exec/snapshot.js';

export type Part = { readonly kind: 'member'; readonly index: number } | { readonly kind: 'shard'; readonly index: number; readonly of: number };

export const showPart = (p: Part): string => (p.kind === 'member' ? `--member ${p.index}` : `--shard ${p.index}/${p.of}`);

/** `I/N` with 0 ≤ I < N. */
export const parseShard = (text: string): E.Either<string, Part> => {
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  const index = Number(m?.[1]);
  const of = Number(m?.[2]);
  if (m === null || !(of > 0)) return E.left(`--shard ${text}: expected I/N, part I of N counted from 0 (--shard 0/4 … --shard 3/4)`);
  if (index >= of) return E.left(`--shard ${text}: part ${index} of ${of} does not exist (parts are 0 to ${of - 1})`);
  return E.right({ kind: 'shard', index, of });
};

const whyWhole: Readonly<Record<Exclude<Mode, 'sweep' | 'population' | 'seeds' | 'ensemble'>, string>> = {
  single: 'this program has no sweep, ensemble or population: it is a single model (a seed list, --seeds 0..4, has a member per seed); run it without',
};

/** The member indices a part trains, in order, or why the program cannot be split this way. */
export const partMembers = (p: Part, mode: Mode, count: number, exchange = false): E.Either<string, number[]> => {
  if (mode === 'population' && !exchange) {
    return E.left(`${showPart(p)}: the members of a population exchange parameters at every exploit; run it whole, or give the parts a shared folder to exploit through (--exchange DIR; xreg submit does)`);
  }
  if (mode === 'single') return E.left(`${showPart(p)}: ${whyWhole[mode]}`);
  // A seed list's members are its seeds, counted by position: --member 1 of --seeds 10,20 is seed 20.
  const what = mode === 'seeds' ? 'seed list' : mode;
  const them = mode === 'seeds' ? 'seeds' : 'members';
  if (p.kind === 'member') {
    return p.index < count ? E.right([p.index]) : E.left(`--member ${p.index}: the ${what} has ${count} ${them}, 0 to ${count - 1}${mode === 'seeds' ? ' (a member is a position in the list, not a seed)' : ''}`);
  }
  const mine = [...Array(count).keys()].filter((i) => i % p.of === p.index);
  return mine.length > 0 ? E.right(mine) : E.left(`${showPart(p)}: the ${what} has only ${count} ${them}, so this part has none`);
};
