/**
 * Model selection is fitting too: a sweep's `select` and a population's `exploit` choose which
 * parameters survive by the number they name, so that number may not be computed on 'test'.
 */
import { error, type Diagnostic } from '../../dsl/diagnostic.js';
import type { Span } from '../../dsl/span.js';
import { Codes } from '../codes.js';
import type { IRExpr } from '../ir.js';
import { oversOn, splitsOf } from '../rules.js';

export interface Selection {
  /** `select lowest gen` or `exploit ... by acc`, for the message. */
  readonly what: 'select' | 'exploit';
  readonly name: string;
  readonly expr: IRExpr;
  readonly span: Span;
}

export const checkSelection = (selections: readonly Selection[], diags: Diagnostic[]): void => {
  for (const s of selections) {
    if (!splitsOf(s.expr).has('test')) continue;
    const at = oversOn(s.expr, 'test')[0];
    const verb = s.what === 'select' ? 'the sweep selects its value' : 'exploit copies the members that score best';
    diags.push({
      ...error(
        Codes.testLeak,
        `${verb} by '${s.name}', which ranges over 'test': selection on 'test' leaks test data into the chosen model`,
        s.span,
        "select on the regularization split instead, e.g. a metric 'over reg'",
      ),
      ...(at !== undefined && at.span !== s.span ? { related: [{ span: at.span, message: "ranges over 'test' here" }] } : {}),
    });
  }
};
