/**
 * The options of a `through` clause: `through fit(solver: "neumann", iterations: 20)` for the
 * implicit form, `through fit(order: 1) for 3 steps` for the unrolled one. Refusals are E0223, in
 * the words of the clause.
 */
import * as E from 'fp-ts/lib/Either.js';
import type { Argument, Duration } from '../dsl/ast.js';
import { error, type Diagnostic } from '../dsl/diagnostic.js';
import type { Span } from '../dsl/span.js';
import { suggest } from '../dsl/suggest.js';
import type { ConstValue } from '../stdlib/types.js';
import { Codes } from './codes.js';
import type { ThroughMethod } from './ir.js';
import { evalConst, type ConstLookup } from './resolve/consts.js';

/** The most steps an unrolled `through` may take: each one keeps the inner loss's intermediate values alive. */
export const MAX_UNROLL = 100;

const IMPLICIT = ['solver', 'iterations', 'tolerance', 'damping', 'scale'] as const;
const UNROLLED = ['order', 'lr'] as const;

export const throughMethod = (
  loss: string,
  options: readonly Argument[],
  steps: Duration | undefined,
  span: Span,
  lookup: ConstLookup,
  diags: Diagnostic[],
): ThroughMethod | undefined => {
  const bad = (m: string, at: Span, hint: string): undefined => void diags.push(error(Codes.badThroughOption, m, at, hint));
  const allowed: readonly string[] = steps === undefined ? IMPLICIT : UNROLLED;
  const form = steps === undefined ? `through ${loss}` : `through ${loss} for ${steps.amount.value} ${steps.unit}`;
  const values: Record<string, { v: ConstValue; span: Span }> = {};
  for (const a of options) {
    if (a.name === undefined) return bad(`the options of '${form}' are named`, a.span, steps === undefined ? 'e.g. through fit(solver: "neumann", iterations: 20)' : 'e.g. through fit(order: 1) for 1 step');
    const k = a.name.name;
    if (!allowed.includes(k)) {
      const other = steps === undefined ? UNROLLED.includes(k as (typeof UNROLLED)[number]) : IMPLICIT.includes(k as (typeof IMPLICIT)[number]);
      const near = suggest(k, allowed);
      return bad(
        `'${form}' has no option '${k}'`,
        a.name.span,
        other
          ? steps === undefined
            ? `'${k}' belongs to the unrolled form: through ${loss}(${k}: ...) for 1 step`
            : `'${k}' belongs to the implicit form (through ${loss}, without 'for')`
          : near !== undefined
            ? `did you mean '${near}'?`
            : `its options: ${allowed.join(', ')}`,
      );
    }
    const v = evalConst(a.value, lookup);
    if (E.isLeft(v)) return void diags.push(v.left);
    values[k] = { v: v.right, span: a.value.span };
  }
  const num = (k: string, ok: (x: number) => boolean, want: string): number | undefined | null => {
    const x = values[k];
    if (x === undefined) return undefined;
    if (typeof x.v !== 'number' || !ok(x.v)) return bad(`'${k}' of '${form}' must be ${want}`, x.span, steps === undefined ? 'e.g. through fit(iterations: 50, tolerance: 1e-6, damping: 0.01)' : 'e.g. through fit(order: 2, lr: 0.1) for 5 steps') ?? null;
    return x.v;
  };
  if (steps !== undefined) {
    const k = steps.amount.value;
    if (steps.unit !== 'steps') return bad(`'${form}': an unrolled 'through' counts steps, not epochs`, steps.span, `e.g. through ${loss} for 5 steps`);
    if (!Number.isInteger(k) || k < 1 || k > MAX_UNROLL)
      return bad(`'${form}': the number of steps must be a whole number from 1 to ${MAX_UNROLL}`, steps.span, `each step keeps '${loss}''s intermediate values in memory until the gradient is taken; for the limit, write 'through ${loss}' (implicit)`);
    const order = num('order', (x) => x === 1 || x === 2, '1 (the stepped parameters held constant) or 2 (differentiated through the steps)');
    const lr = num('lr', (x) => x > 0, 'a positive number');
    if (order === null || lr === null) return undefined;
    return { kind: 'unrolled', steps: k, order: order === 1 ? 1 : 2, ...(lr !== undefined ? { lr } : {}) };
  }
  const solver = values['solver'];
  if (solver !== undefined && solver.v !== 'cg' && solver.v !== 'neumann')
    return bad(`'solver' of '${form}' is "cg" (conjugate gradients) or "neumann" (a Neumann series)`, solver.span, 'e.g. through fit(solver: "neumann", iterations: 20)');
  const iterations = num('iterations', (x) => Number.isInteger(x) && x >= 1, 'a whole number of at least 1');
  const tolerance = num('tolerance', (x) => x > 0 && x < 1, 'a number between 0 and 1 (the residual relative to the right-hand side)');
  const damping = num('damping', (x) => x >= 0, 'a number of at least 0');
  const scale = num('scale', (x) => x > 0, 'a positive number');
  if (iterations === null || tolerance === null || damping === null || scale === null) return undefined;
  const kind = solver?.v === 'neumann' ? 'neumann' : 'cg';
  if (scale !== undefined && kind === 'cg') return bad(`'scale' of '${form}' is the Neumann series' step`, values['scale']?.span ?? span, 'add solver: "neumann", or drop scale');
  return {
    kind: 'implicit',
    solver: kind,
    ...(iterations !== undefined ? { iterations } : {}),
    ...(tolerance !== undefined ? { tolerance } : {}),
    damping: damping ?? 0,
    ...(scale !== undefined ? { scale } : {}),
  };
};
