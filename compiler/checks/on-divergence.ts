/**
 * `run … on divergence continue|stop`: what the first non-finite loss or parameter does to the run.
 * The two words after `on` are plain names to the parser (no new keywords, so no program's names
 * break); this is where they are checked.
 */
import { type Diagnostic, error } from '../../dsl/diagnostic.js';
import type { RunDecl } from '../../dsl/ast.js';
import { suggest } from '../../dsl/suggest.js';
import { Codes } from '../codes.js';

export type OnDivergence = 'continue' | 'stop';

const ACTIONS: readonly OnDivergence[] = ['continue', 'stop'];

const didYouMean = (name: string): string => {
  const s = suggest(name, ACTIONS);
  return s !== undefined ? `did you mean '${s}'?` : "write 'continue' or 'stop'";
};

/** The run's choice, or undefined when it makes none (or a wrong one, reported into `diags`). */
export const onDivergence = (run: RunDecl | undefined, diags: Diagnostic[]): OnDivergence | undefined => {
  const on = run?.on;
  if (on === undefined) return undefined;
  if (on.event.name !== 'divergence') {
    diags.push(
      error(Codes.badOnClause, `a run reacts only to 'on divergence', not to 'on ${on.event.name}'`, on.event.span, 'e.g. run 100 epochs on divergence continue'),
    );
    return undefined;
  }
  const action = ACTIONS.find((a) => a === on.action.name);
  if (action === undefined) {
    diags.push(
      error(Codes.badOnClause, `after 'on divergence' comes 'continue' (train on past the first non-finite value) or 'stop' (end the run there)`, on.action.span, didYouMean(on.action.name)),
    );
  }
  return action;
};
