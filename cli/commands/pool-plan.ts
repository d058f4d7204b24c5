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
import { unrollEnsemble } from '../../compiler/lower/ensemble.js';
import { coupledRule } from '../../runtime/ensemble-parts.js';
import { exchangeFolder, leftPool, partsFolder, type PoolMode } from './pool-folders.js';

export interface PoolPlan {
  readonly workers: number;
  readonly members: number;
  readonly mode: PoolMode;
  /** Continue the parts an interrupted pool left (`--resume OUT`) instead of starting them. */
  readonly resume: boolean;
  readonly line: string;
}

const one = (why: string): PoolPlan => ({ workers: 1, members: 1, mode: 'sweep', resume: false, line: `workers: 1 (${why})` });

const perWorker = (members: number, workers: number): string => {
  const lo = Math.floor(members / workers);
  return members % workers === 0 ? `${lo} each` : `${lo}–${lo + 1} each`;
};

/** `out`: the run folder the pool would write (the default one when --out is not given), for the line. */
export const poolPlan = (
  o: Omit<RunOptions, 'registry'> & {
    readonly workers: number;
    /** Whether the command line gave --workers (an ensemble is split only when asked). */
    readonly workersAsked?: boolean;
  },
  registry: Registry, out: string = o.resume ?? o.out ?? 'OUT'): PoolPlan => {
  if (o.resume !== undefined) {
    // A pooled run's folder is written at its end; before that, only its parts exist.
    const left = leftPool(o.resume);
    if (left === undefined) return one('a resumed run continues in this process');
    const what = left.mode === 'seeds' ? 'seed list' : left.mode;
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
  // A seed list over a sweep or population is refused by the run itself, in one process.
  if (o.seeds !== undefined && (ir.sweep !== undefined || ir.population !== undefined)) return one('one process');
  if (ir.population !== undefined) {
    const members = ir.population.size;
    if (members <= 1) return one('a population of one');
    const workers = Math.min(o.workers, members);
    if (workers <= 1) return { workers: 1, members, mode: 'population', resume: false, line: `workers: 1 (--workers 1: the ${members} population members interleaved in one process)` };
    const why = `the ${members} population members in ${workers} processes, ${perWorker(members, workers)} interleaved, each with its own backend; they exchange weights and hyper-parameters at each exploit through ${exchangeFolder(partsFolder(out))}`;
    return { workers, members, mode: 'population', resume: false, line: `workers: ${workers} (${why}; --workers 1 for one)` };
  }
  if ((ir.sweep?.select?.after?.length ?? 0) > 0) return one(`the ensemble of the selected members is evaluated over their parameters, so every member trains in one process`);
  if (o.seeds === undefined && ir.ensemble !== undefined) {
    // Split, an ensemble's own values (the average over members) are evaluated at the end only.
    if (o.workersAsked !== true) {
      return one(`an ensemble trains in one process, so that every report holds the ensemble's values; --workers N trains its members apart (the ensemble's values at the end only)`);
    }
    const coupled = coupledRule(unrollEnsemble(ir).ir);
    if (coupled !== undefined) return one(coupled.replace(/; run the ensemble whole$/, ''));
  }
  const members = o.seeds?.length ?? ir.sweep?.members.length ?? ir.ensemble?.size ?? 1;
  if (members <= 1) return one('one model');
  const mode: PoolMode = o.seeds !== undefined ? 'seeds' : ir.ensemble !== undefined ? 'ensemble' : 'sweep';
  const what = mode === 'seeds' ? 'seeds' : mode === 'ensemble' ? 'ensemble members' : 'sweep members';
  const workers = Math.min(o.workers, members);
  if (workers <= 1 && o.seeds === undefined && ir.ensemble !== undefined) return one(`--workers 1: the ensemble of ${members} trains unrolled, as one model`);
  if (workers <= 1) return { workers: 1, members, mode, resume: false, line: `workers: 1 (--workers 1: the ${members} ${what} one after another)` };
  return {
    workers,
    members,
    mode,
    resume: false,
    line: `workers: ${workers} (the ${members} ${what} in ${workers} processes, each with its own backend; --workers 1 for one)`,
  };
};
