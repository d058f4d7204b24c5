/** Splits used before they exist: a rule in an earlier phase ranging over a split a later phase declares. */
import { error, type Diagnostic } from '../../dsl/diagnostic.js';
import { Codes } from '../codes.js';
import type { SplitInfo } from '../types/context.js';
import type { CheckedRule } from './leakage.js';

export const checkSplitOrder = (rules: readonly CheckedRule[], splits: ReadonlyMap<string, SplitInfo>, diags: Diagnostic[]): void => {
  for (const r of rules) {
    const c = r.targets.container;
    const phase = c.kind === 'phase' ? c.index : 0;
    for (const s of r.rule.splits) {
      const info = splits.get(s);
      if (info === undefined || info.phase <= phase) continue;
      diags.push({
        ...error(Codes.splitNotYet, `rule ${r.rule.name} uses split '${s}' before it exists: a later phase declares it`, r.lossSpan),
        related: [{ span: info.span, message: 'declared here' }],
      });
    }
  }
};
