/**
 * Values that must be one number: a rule's loss and direction, every declared loss and metric (each
 * is observed at run time), every report item. Lowering refuses anything else (E0603), but only
 * after data has loaded; here the mistake is found by `xreg check`, at the expression.
 */
import { error, type Diagnostic } from '../../dsl/diagnostic.js';
import type { Span } from '../../dsl/span.js';
import { Codes } from '../codes.js';
import type { IRExpr } from '../ir.js';
import { formatShape, resolveShape, type DimEnv } from '../types/shape.js';

export interface MustBeScalar {
  /** What the value is, for the message: `loss 'fit'`, `the loss of rule update1`. */
  readonly what: string;
  readonly expr: IRExpr;
}

/** Lowering reads a value whose dims are all 1 (`srn(w)` on one input is `[1]`) as the scalar it holds. */
export const isScalarShape = (shape: IRExpr['shape']): boolean => shape.every((d) => d === 1);

const HINT = 'reduce it to one number: wrap it in mean(...) or sum(...)';

/**
 * A reference to a named loss or metric is reported at that loss's body, under its own name, so a
 * loss used by several rules (and observed itself) is one message at one place.
 */
const located = (v: MustBeScalar): { what: string; expr: IRExpr; span: Span } => {
  let what = v.what;
  let e = v.expr;
  for (;;) {
    // `on sq over train` completes a loss `sq` that has no `over` of its own: still sq's body
    const inner = e.kind === 'over' && e.body.kind === 'ref' ? e.body : e;
    if (inner.kind !== 'ref') break;
    what = `${inner.ref} '${inner.name}'`;
    e = inner.body;
  }
  return { what, expr: e, span: e.span };
};

export const checkScalars = (values: readonly MustBeScalar[], dims: DimEnv, diags: Diagnostic[]): void => {
  const seen = new Set<string>();
  for (const v of values) {
    if (isScalarShape(v.expr.shape)) continue;
    const l = located(v);
    const key = `${l.span.file}|${l.span.start.offset}|${l.span.end.offset}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const shape = formatShape(resolveShape(dims, l.expr.shape));
    diags.push(error(Codes.notScalar, `${l.what} must be a scalar, but it has shape ${shape}`, l.span, HINT));
  }
};
