/**
 * How many worker processes `xreg run` uses, and the line that says so at the start. Only a sweep is
 * split (cli/commands/run-pool.ts); the program is compiled here, without TensorFlow.js, to know.
 */
import { readFileSync } from 'node:fs';
import { compileText } from '../../compiler/compile.js';
import type { RunOptions } from '../../runtime/run.js';
import type { Registry } from '../../stdlib/registry.js';
import { readTextSync } from '../check.js';
import { unrollEnsemble } from '../../compiler/lower/ensemble.js';
import { coupledRule } from '../../runtime/ensemble-parts.js';

export interface PoolPlan {
  readonly workers: number;
  readonly members: number;
  readonly line: string;
}

const one = (why: string): PoolPlan => ({ workers: 1, members: 1, line: `workers: 1 (${why})` });

export const poolPlan = (o: Omit<RunOptions, 'registry'> & { readonly workers: number }, registry: Registry): PoolPlan => {
  if (o.resume !== undefined) return one('a resumed run continues in this process');
  if (o.part !== undefined) return one('a part of a sweep trains in this process');
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
  if (ir.population !== undefined) return one(`a population's members exchange parameters at every exploit, so they train in one process`);
  if ((ir.sweep?.select?.after?.length ?? 0) > 0) return one(`the ensemble of the selected members is evaluated over their parameters, so every member trains in one process`);
  if (o.seeds === undefined && ir.ensemble !== undefined) {
    // Split, an ensemble's own values (the average over members) are evaluated at the end only.
    if (!o.argv.some((a) => a === '--workers' || a.startsWith('--workers='))) {
      return one(`an ensemble trains in one process, so that every report holds the ensemble's values; --workers N trains its members apart (the ensemble's values at the end only)`);
    }
    const coupled = coupledRule(unrollEnsemble(ir).ir);
    if (coupled !== undefined) return one(coupled.replace(/; run the ensemble whole$/, ''));
  }
  const members = o.seeds?.length ?? ir.sweep?.members.length ?? ir.ensemble?.size ?? 1;
  if (members <= 1) return one('one model');
  const what = o.seeds !== undefined ? 'seeds' : ir.ensemble !== undefined ? 'ensemble members' : 'sweep members';
  const workers = Math.min(o.workers, members);
  if (workers <= 1 && o.seeds === undefined && ir.ensemble !== undefined) return one(`--workers 1: the ensemble of ${members} trains unrolled, as one model`);
  if (workers <= 1) return { workers: 1, members, line: `workers: 1 (--workers 1: the ${members} ${what} one after another)` };
  return {
    workers,
    members,
    line: `workers: ${workers} (the ${members} ${what} in ${workers} processes, each with its own backend; --workers 1 for one)`,
  };
};
