/** Whether a run goes on past a divergence: the command line, then the program, then the run's kind. */
import type { IRProgram } from '../../compiler/ir.js';
import type { Mode } from './snapshot.js';

/**
 * Why the run goes on (the words after "going on" in its warning), or undefined when it stops.
 * `--allow-divergence` is the user's say at this run and wins over the program's `on divergence
 * stop`; without either, one model stops and the other members of a sweep, a population or a
 * seed list go on.
 */
export const goesOn = (allowFlag: boolean, program: IRProgram['run']['onDivergence'], mode: Mode): string | undefined => {
  if (allowFlag) return ' (--allow-divergence)';
  if (program === 'continue') return " (the program's run says 'on divergence continue')";
  if (program === 'stop') return undefined;
  return mode === 'sweep' || mode === 'population' || mode === 'seeds' ? ' with the other members' : undefined;
};
