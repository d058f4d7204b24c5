/**
 * Leakage: no update may see test data, and no θ rule may range over the regularization split
 * unless it says `allow reg`. A θ rule is one that fits parameters on 'train': its own loss ranges
 * over 'train' as well as 'reg', or a rule on 'train' updates some of its targets (in any phase).
 * Rules on 'reg' alone whose targets nothing fits on 'train' are ρ rules, the method itself. So is
 * the direction pair of the paper's LASSO: the same w moved `orthogonal to grad(R)` on 'train' and
 * `along grad(R)` on 'reg' — the train rule cannot change R, so R is fitted on 'reg' only.
 */
import { error, type Diagnostic } from '../../dsl/diagnostic.js';
import type { Span } from '../../dsl/span.js';
import { Codes } from '../codes.js';
import type { IRRule } from '../ir.js';
import type { RuleTargets } from '../partitions/assign.js';
import { oversOn } from '../rules.js';

export interface CheckedRule {
  readonly rule: IRRule;
  readonly targets: RuleTargets;
  readonly lossSpan: Span;
}

const directionPair = (a: RuleTargets, b: RuleTargets): boolean => {
  const kinds = new Set([a.geometry, b.geometry]);
  return kinds.has('along') && kinds.has('orthogonal');
};

/** The rules on 'train' by each parameter they update, with their place in the rule list. */
export const trainRulesByParam = (rules: readonly CheckedRule[]): Map<string, { rule: CheckedRule; order: number }[]> => {
  const out = new Map<string, { rule: CheckedRule; order: number }[]>();
  rules.forEach((q, order) => {
    if (!q.rule.splits.includes('train')) return;
    for (const p of new Set(q.rule.targets)) {
      const list = out.get(p);
      if (list === undefined) out.set(p, [{ rule: q, order }]);
      else list.push({ rule: q, order });
    }
  });
  return out;
};

/** The first rule on 'train' that also fits some of `r`'s targets (not as the other half of a direction pair). */
export const trainPartner = (
  r: CheckedRule,
  rules: readonly CheckedRule[],
  byParam: ReadonlyMap<string, readonly { rule: CheckedRule; order: number }[]> = trainRulesByParam(rules),
): CheckedRule | undefined => {
  let best: { rule: CheckedRule; order: number } | undefined;
  for (const p of r.rule.targets)
    for (const q of byParam.get(p) ?? [])
      if (q.rule !== r && (best === undefined || q.order < best.order) && !directionPair(q.rule.targets, r.targets)) best = q;
  return best?.rule;
};

/** Reports leaks; returns the names of the rules reported as θ on 'reg'. */
export const checkLeakage = (rules: readonly CheckedRule[], diags: Diagnostic[]): ReadonlySet<string> => {
  const thetaOnReg = new Set<string>();
  const byParam = trainRulesByParam(rules);
  for (const r of rules) {
    if (r.rule.splits.includes('test')) {
      const inLoss = oversOn(r.rule.loss, 'test')[0];
      const g = r.rule.geometry;
      const at = inLoss ?? (g.kind === 'none' ? undefined : oversOn(g.direction, 'test')[0]);
      const what =
        inLoss !== undefined || g.kind === 'none'
          ? `rule ${r.rule.name} optimizes a loss that ranges over 'test': test data must never reach an update`
          : `rule ${r.rule.name} moves ${g.kind === 'along' ? 'along' : 'orthogonally to'} a gradient that ranges over 'test': test data must never reach an update`;
      diags.push({
        ...error(Codes.testLeak, what, inLoss !== undefined || at === undefined ? r.lossSpan : at.span),
        ...(inLoss !== undefined ? { related: [{ span: inLoss.span, message: "ranges over 'test' here" }] } : {}),
      });
    }
    if (!r.rule.splits.includes('reg') || r.rule.allowReg) continue;
    const partner = r.rule.splits.includes('train') ? undefined : trainPartner(r, rules, byParam);
    if (!r.rule.splits.includes('train') && partner === undefined) continue;
    thetaOnReg.add(r.rule.name);
    const g = r.rule.geometry;
    const at = oversOn(r.rule.loss, 'reg')[0] ?? (g.kind === 'none' ? undefined : oversOn(g.direction, 'reg')[0]);
    const mine = new Set(r.rule.targets);
    const shared = partner?.rule.targets.filter((p) => mine.has(p)) ?? [];
    const what =
      partner === undefined
        ? `rule ${r.rule.name} fits its parameters on 'train' and on the regularization split 'reg'`
        : `rule ${r.rule.name} fits θ parameter${shared.length > 1 ? 's' : ''} ${shared.slice(0, 3).map((p) => `'${p}'`).join(', ')}${shared.length > 3 ? ', …' : ''} on the regularization split 'reg', and rule ${partner.rule.name} fits ${shared.length > 1 ? 'them' : 'it'} on 'train'`;
    diags.push({
      ...error(
        Codes.thetaOnReg,
        what,
        r.lossSpan,
        partner === undefined
          ? "fit θ on 'train' and ρ on 'reg' in separate rules; write 'allow reg' on the rule if this is meant"
          : "fit ρ parameters on 'reg'; to share one parameter, move it `orthogonal to grad(R)` on 'train' and `along grad(R)` on 'reg'; write 'allow reg' if this is meant",
      ),
      related: [
        ...(at !== undefined ? [{ span: at.span, message: "ranges over 'reg' here" }] : []),
        ...(partner !== undefined ? [{ span: partner.targets.targetSpan, message: `fitted on 'train' by ${partner.rule.name} here` }] : []),
      ],
    });
  }
  return thetaOnReg;
};
