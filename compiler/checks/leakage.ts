/**
 * Leakage: no update may see test data; a θ rule (fitted on train, or sharing parameters with
 * one that is) may not range over the regularization split unless it says `allow reg`.
 */
import { error, type Diagnostic } from '../../dsl/diagnostic.js';
import type { Span } from '../../dsl/span.js';
import { Codes } from '../codes.js';
import type { IRRule } from '../ir.js';
import { compatible, type RuleTargets } from '../partitions/assign.js';
import { oversOn } from '../rules.js';

export interface CheckedRule {
  readonly rule: IRRule;
  readonly targets: RuleTargets;
  readonly lossSpan: Span;
}

export const checkLeakage = (rules: readonly CheckedRule[], diags: Diagnostic[]): void => {
  for (const r of rules) {
    if (r.rule.splits.includes('test')) {
      const at = oversOn(r.rule.loss, 'test')[0];
      diags.push({
        ...error(Codes.testLeak, `rule ${r.rule.name} optimizes a loss that ranges over 'test': test data must never reach an update`, r.lossSpan),
        ...(at !== undefined ? { related: [{ span: at.span, message: "ranges over 'test' here" }] } : {}),
      });
    }
    if (!r.rule.splits.includes('reg') || r.rule.allowReg) continue;
    const sharesWithTrain = rules.some(
      (q) => q !== r && q.rule.splits.includes('train') && !compatible(q.targets, r.targets) && q.rule.targets.some((p) => r.rule.targets.includes(p)),
    );
    if (r.rule.partition === 'theta' || sharesWithTrain || (r.rule.partition !== 'rho' && r.rule.splits.includes('train'))) {
      const at = oversOn(r.rule.loss, 'reg')[0];
      diags.push({
        ...error(
          Codes.thetaOnReg,
          `rule ${r.rule.name} fits θ parameters on the regularization split 'reg'`,
          r.lossSpan,
          "fit θ on 'train' only; write 'allow reg' on the rule if this is meant",
        ),
        ...(at !== undefined ? { related: [{ span: at.span, message: "ranges over 'reg' here" }] } : {}),
      });
    }
  }
};
