/**
 * How many worker processes `xreg run` uses, and the line that says so at the start. A sweep's and a
 * population's members are split (cli/commands/run-pool.ts); the program is compiled here, without
 * TensorFlow.js, to know.
 */
import { readFileSync } from 'node:fs';
import { compileText } from '../../compiler/compile.js';
import type { RunOptions } from '../../runtime/run.js';
import type { Registry } from '../../stdlib/registry.js';
import { readTextSync } from '../check.js';
import { exchangeFolder, leftPool, partsFolder } from './pool-folders.js';

export interface PoolPlan {
  readonly workers: number;
  readonly members: number;
  readonly mode: 'sweep' | 'population';
  /** Continue the parts an interrupted pool left (`--resume OUT`) instead of starting them. */
  readonly resume: boolean;
  readonly line: string;
}

const one = (why: string): PoolPlan => ({ workers: 1, members: 1, mode: 'sweep', resume: false, line: `workers: 1 (${why})` });

const perWorker = (members: number, workers: number): string => {
  const lo = Math.floor(members / workers);
  return members % workers === 0 ? `${lo} each` : `${lo}–${lo + 1} each`;
};

/** `out`: the run folder the pool would write (the default one when --out is not given). */
export const poolPlan = (o: Omit<RunOptions, 'registry'> & { readonly workers: number }, out: string, registry: Registry): PoolPlan => {
  if (o.resume !== undefined) {
    // A pooled run's folder is written at its end; before that, only its parts exist.
    const left = leftPool(o.resume);
    if (left === undefined) return one('a resumed run continues in this process');
    const what = left.mode === 'population' ? 'population' : 'sweep';
    return {
      workers: left.workers,
      members: left.members,
      mode: left.mode,
      resume: true,
      line: `workers: ${left.workers} (resuming the ${left.workers} parts of the ${left.members} ${what} members that the interrupted run left in ${partsFolder(o.resume)})`,
    };
  }
  if (o.part !== undefined) return one(`a part of a ${o.exchange !== undefined ? 'population' : 'sweep'} trains in this process`);
  let text: string;
  try {
    text = readFileSync(o.file, 'utf8');
  } catch {
    return one('one process');
  }
  const ir = compileText(text, o.file, { readFile: readTextSync, overrides: o.set, registry }).ir;
  if (ir === undefined) return one('one process');
  const mode = ir.population !== undefined ? 'population' : 'sweep';
  const members = ir.population?.size ?? ir.sweep?.values.length ?? 1;
  if (members <= 1) return one(ir.population !== undefined ? 'a population of one' : 'one model');
  const workers = Math.min(o.workers, members);
  if (workers <= 1) {
    const how = mode === 'population' ? `the ${members} population members interleaved in one process` : `the ${members} sweep members one after another`;
    return { workers: 1, members, mode, resume: false, line: `workers: 1 (--workers 1: ${how})` };
  }
  const why =
    mode === 'population'
      ? `the ${members} population members in ${workers} processes, ${perWorker(members, workers)} interleaved, each with its own backend; they exchange weights and hyper-parameters at each exploit through ${exchangeFolder(partsFolder(out))}`
      : `the ${members} sweep members in ${workers} processes, each with its own backend`;
  return { workers, members, mode, resume: false, line: `workers: ${workers} (${why}; --workers 1 for one)` };
};
