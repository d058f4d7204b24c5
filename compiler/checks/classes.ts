/**
 * Class labels against score widths. The runtime one-hot-encodes integer labels to the width of
 * the scores (stdlib/functions/targets.ts), so a label at or past that width becomes an all-zero
 * row and trains silently on nothing; a narrower label set wastes columns. Where the data's schema
 * states its classes and the scores' last dimension is known, the two must agree.
 */
import { error, type Diagnostic } from '../../dsl/diagnostic.js';
import type { Schema } from '../../stdlib/types.js';
import { Codes } from '../codes.js';
import { children, type IRExpr } from '../ir.js';

/** Functions whose first argument is per-class scores and second integer labels (docs/stdlib.md). */
const CLASS_FNS = new Set(['cross_entropy', 'nll', 'accuracy', 'calibration_error', 'margin', 'inverse_margin']);

const labelClasses = (e: IRExpr | undefined, schemas: ReadonlyMap<string, Schema>): number | undefined =>
  e?.kind === 'field' ? schemas.get(e.data)?.[e.field]?.classes : undefined;

export const checkClasses = (exprs: readonly IRExpr[], schemas: ReadonlyMap<string, Schema>, diags: Diagnostic[]): void => {
  const stack = [...exprs];
  while (stack.length > 0) {
    const e = stack.pop()!;
    stack.push(...children(e));
    if (e.kind !== 'call' || !CLASS_FNS.has(e.fn)) continue;
    const classes = labelClasses(e.args[1], schemas);
    const scores = e.args[0];
    const width = scores?.shape[scores.shape.length - 1];
    if (classes === undefined || scores === undefined || scores.shape.length < 2 || typeof width !== 'number' || width === classes) continue;
    diags.push(
      error(
        Codes.classWidth,
        `${e.fn}: the labels have ${classes} classes but the scores have ${width} column${width === 1 ? '' : 's'}`,
        e.span,
        `give the model's last layer ${classes} outputs, e.g. 'dense(${classes})'`,
      ),
    );
  }
};
