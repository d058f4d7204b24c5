/**
 * Where `xreg run --workers N` keeps its parts while they train: a hidden folder beside the run
 * folder, one folder per worker, `pool.json` saying how many, and, for a population, the exchange
 * folder its workers exploit through. An interrupted pool leaves it in place, so that
 * `xreg run FILE --resume OUT` finds it and continues every part.
 */
import * as E from 'fp-ts/lib/Either.js';
import * as t from 'io-ts';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';

export const partsFolder = (out: string): string => path.join(path.dirname(out), `.${path.basename(out)}.parts`);

export const partFolder = (parts: string, k: number): string => path.join(parts, `part-${k}`);

/** A population's exploits: every worker writes its members' states and scores here. */
export const exchangeFolder = (parts: string): string => path.join(parts, 'exchange');

/** The merged run is written here first, then renamed to the run folder: never half a run there. */
export const stagingFolder = (parts: string): string => path.join(parts, 'merged');

export const poolFile = (parts: string): string => path.join(parts, 'pool.json');

export const PoolMode = t.keyof({ sweep: null, population: null, ensemble: null, seeds: null });
export type PoolMode = t.TypeOf<typeof PoolMode>;

export const PoolRecord = t.type({ workers: t.number, members: t.number, mode: PoolMode });
export type PoolRecord = t.TypeOf<typeof PoolRecord>;

/** What an interrupted pool left for the run folder `out`, if anything. */
export const leftPool = (out: string): PoolRecord | undefined => {
  try {
    const d = PoolRecord.decode(JSON.parse(readFileSync(poolFile(partsFolder(out)), 'utf8')));
    return E.isRight(d) ? d.right : undefined;
  } catch {
    return undefined;
  }
};
