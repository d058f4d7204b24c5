/**
 * `lambda_max(e, S, iterations: k)`: the largest eigenvalue of the Hessian of the scalar `e` in
 * the parameters S (every parameter `e` reads differentiably when S is left out), a measurement:
 * it may stand in a metric, a report item or a figure, never in a loss, where it would have to be
 * differentiated (E0550). An `e` with no differentiable path to a parameter has no curvature to
 * measure (E0551): a metric, `accuracy`, a constant, or a selector that picks parameters `e` does
 * not read.
 */
import type { CallExpr } from '../../dsl/ast.js';
import { error } from '../../dsl/diagnostic.js';
import { Codes } from '../codes.js';
import { reachable } from '../checks/reachability.js';
import { isScalarShape } from '../checks/scalars.js';
import type { IRExpr } from '../ir.js';
import { bindConstArgs } from '../resolve/args.js';
import type { Ctx, Local } from './context.js';
import { isParamSet } from './context.js';
import { asTensor, constLookup, elab } from './elaborate.js';
import { formatShape, resolveShape } from './shape.js';

/** Power-iteration steps when `iterations` is not given, and the most a program may ask for. */
export const LAMBDA_MAX_ITERATIONS = 20;
export const LAMBDA_MAX_MAX_ITERATIONS = 500;

const USAGE = 'e.g. metric sharpness = lambda_max(cross_entropy(net(x), y) over train, params(net), iterations: 20)';

export const elabLambdaMax = (ctx: Ctx, e: CallExpr, local: Local): IRExpr | null => {
  const fail = (code: string, message: string, at: CallExpr['span'], hint: string): null => {
    ctx.diags.push(error(code, message, at, hint));
    return null;
  };
  if (local.observed !== true) {
    // ctx.stack holds the losses and metrics being inlined, the reader first
    const chain = ctx.stack.length >= 2 ? ` ('${ctx.stack[0] ?? ''}' reads it through ${ctx.stack.slice(1).map((n) => `'${n}'`).join(' and ')})` : '';
    return fail(
      Codes.lambdaMaxPlace,
      `lambda_max(...) measures the curvature of a loss and cannot be differentiated, so no loss or update rule may read it${chain}`,
      e.callee.span,
      `keep it a metric or a report item: ${USAGE.slice('e.g. '.length)}`,
    );
  }
  const positional = e.args.filter((a) => a.name === undefined);
  const named = e.args.filter((a) => a.name !== undefined);
  const [bodyArg, wrtArg, ...extra] = positional;
  if (bodyArg === undefined) return fail(Codes.missingArg, 'lambda_max(e, S) needs the expression e whose Hessian it measures', e.span, USAGE);
  if (extra[0] !== undefined) return fail(Codes.tooManyArgs, 'lambda_max takes the expression, then optionally the parameters (a selector), then iterations: k', extra[0].value.span, USAGE);
  // a bad option is reported beside whatever the expression has wrong, not instead of it
  const before = ctx.diags.length;
  const opts = bindConstArgs("'lambda_max'", [{ name: 'iterations', type: 'int', default: LAMBDA_MAX_ITERATIONS }], named, constLookup(ctx, local), e.span, ctx.diags);
  const iterations = opts['iterations'];
  if (ctx.diags.length === before && (typeof iterations !== 'number' || iterations < 1 || iterations > LAMBDA_MAX_MAX_ITERATIONS))
    fail(
      Codes.argType,
      `'iterations' of lambda_max is the number of Hessian-vector products, a whole number from 1 to ${LAMBDA_MAX_MAX_ITERATIONS}; got ${JSON.stringify(iterations)}`,
      named.find((a) => a.name?.name === 'iterations')?.value.span ?? e.span,
      'each product costs about two backward passes over the data; 20 is usually enough to see a trend',
    );
  const optionsBad = ctx.diags.length > before;
  const v = elab(ctx, bodyArg.value, local);
  if (v === null) return null;
  const body = asTensor(ctx, v);
  if (!isScalarShape(body.shape))
    return fail(
      Codes.notScalar,
      `lambda_max measures the Hessian of one number, but its expression has shape ${formatShape(resolveShape(ctx.dims, body.shape))}`,
      bodyArg.value.span,
      'reduce it to one number (a loss is one: cross_entropy(...) is already a mean over the batch)',
    );
  let selected: readonly string[] | undefined;
  if (wrtArg !== undefined) {
    const s = elab(ctx, wrtArg.value, local);
    if (s === null) return null;
    if (s.kind === 'param') selected = [s.path];
    else if (isParamSet(s)) selected = s.paths;
    else
      return fail(
        Codes.badSelector,
        "lambda_max's second argument says in which parameters to take the Hessian: a selector such as params(net) or weights(net), or a parameter",
        wrtArg.value.span,
        USAGE,
      );
  }
  const reached = reachable(body, (p) => ctx.params.get(p)?.role);
  const paths = selected === undefined ? [...reached].sort() : selected.filter((p) => reached.has(p));
  if (paths.length === 0)
    return fail(
      Codes.lambdaMaxNoParams,
      selected === undefined
        ? 'lambda_max: this expression has no differentiable path to any parameter, so it has no curvature to measure'
        : `lambda_max: this expression has no differentiable path to the ${selected.length === 1 ? 'parameter' : `${selected.length} parameters`} selected, so its Hessian in them is zero`,
      bodyArg.value.span,
      'measure a loss of the model, e.g. lambda_max(cross_entropy(net(x), y) over train, params(net)); accuracy, metrics and stop_gradient(...) are not differentiable',
    );
  if (optionsBad || typeof iterations !== 'number') return null;
  return { kind: 'lambdaMax', body, paths, iterations, shape: [], span: e.span };
};
