/**
 * Dead complexity controls, found statically on the IR: a rule's target is live when a path of
 * differentiable nodes leads from the loss to it. Non-differentiable functions and metric
 * references cut paths; under `deterministic` a stochastic layer's noise scales and magnitudes
 * are not used at all (the paper's warning: a deterministic validation loss has ∇ρ = 0).
 */
import { error, type Diagnostic } from '../../dsl/diagnostic.js';
import type { ParamRole } from '../../stdlib/types.js';
import { Codes } from '../codes.js';
import type { IRExpr } from '../ir.js';
import { children } from '../ir.js';
import type { CheckedRule } from './leakage.js';

const offWhenDeterministic: readonly ParamRole[] = ['noise_scale', 'magnitude'];

export const reachable = (e: IRExpr, roleOf: (path: string) => ParamRole | undefined, det = false, out: Set<string> = new Set()): Set<string> => {
  switch (e.kind) {
    case 'param':
      out.add(e.path);
      return out;
    case 'flatParams':
      e.paths.forEach((p) => out.add(p));
      return out;
    case 'call':
      if (!e.differentiable) return out;
      break;
    case 'ref':
      if (e.stopGradient) return out;
      break;
    case 'lambdaMax':
      // a measurement of the body's curvature, never differentiated itself
      return out;
    case 'deterministic':
      return reachable(e.body, roleOf, true, out);
    case 'layer':
      for (const p of Object.values(e.params)) {
        const role = roleOf(p);
        if (det && e.stochastic && role !== undefined && offWhenDeterministic.includes(role)) continue;
        out.add(p);
      }
      break;
    default:
      break;
  }
  for (const c of children(e)) reachable(c, roleOf, det, out);
  return out;
};

/** Every parameter an expression mentions, differentiably or not. */
const mentioned = (e: IRExpr, out: Set<string> = new Set()): Set<string> => {
  if (e.kind === 'param') out.add(e.path);
  if (e.kind === 'flatParams') e.paths.forEach((p) => out.add(p));
  if (e.kind === 'layer') Object.values(e.params).forEach((p) => out.add(p));
  for (const c of children(e)) mentioned(c, out);
  return out;
};

/**
 * A dead target that some other rule's loss does reach (a penalty weight in the training loss) is
 * alive through the parameters that rule fits: the fix is `through`, the total derivative.
 */
const throughHint = (rules: readonly CheckedRule[], r: CheckedRule, dead: readonly string[], roleOf: (path: string) => ParamRole | undefined): string | undefined => {
  const other = rules.find((o) => o !== r && o.rule.lossName !== undefined && dead.some((p) => reachable(o.rule.loss, roleOf).has(p)));
  const name = other?.rule.lossName;
  if (name === undefined) return undefined;
  return `it reaches '${name}', which fits other parameters: differentiate through their fit with 'through ${name}' (the implicit gradient) or 'through ${name} for 1 step' (one step look-ahead)`;
};

export const checkReachability = (rules: readonly CheckedRule[], roleOf: (path: string) => ParamRole | undefined, diags: Diagnostic[]): void => {
  for (const r of rules) {
    const live = reachable(r.rule.loss, roleOf);
    // `through F`: a target also reaches the loss through F's minimizer, when it reaches F and some
    // parameter F is minimized over reaches the loss.
    const imp = r.rule.implicit;
    if (imp !== undefined && imp.inner.some((p) => live.has(p))) for (const p of reachable(imp.loss, roleOf)) live.add(p);
    const dead = r.rule.targets.filter((p) => !live.has(p));
    if (dead.length === 0) continue;
    const seen = mentioned(r.rule.loss);
    const absent = dead.filter((p) => !seen.has(p));
    if (absent.length === dead.length) {
      const shown = absent.slice(0, 4).map((p) => `'${p}'`).join(', ') + (absent.length > 4 ? `, … (${absent.length} in all)` : '');
      diags.push(
        error(
          Codes.deadParam,
          `${shown} ${absent.length > 1 ? 'do' : 'does'} not occur in the loss of rule ${r.rule.name}${r.rule.lossName !== undefined ? ` ('${r.rule.lossName}')` : ''}, so ${absent.length > 1 ? 'their' : 'its'} gradient is always zero`,
          r.lossSpan,
          throughHint(rules, r, absent, roleOf) ??
            (absent.length === 1 ? `use '${absent[0]}' in the model or the loss, or remove the rule` : 'use them in the model or the loss, or update other parameters'),
        ),
      );
      continue;
    }
    const shown = dead.slice(0, 4).join(', ') + (dead.length > 4 ? `, … (${dead.length} in all)` : '');
    diags.push(
      error(
        Codes.deadParam,
        `${r.rule.partition === 'rho' ? 'ρ parameter' : 'parameter'}${dead.length > 1 ? 's' : ''} ${shown} ${dead.length > 1 ? 'have' : 'has'} no differentiable path to the loss of rule ${r.rule.name}, so ${dead.length > 1 ? 'their' : 'its'} gradient is always zero`,
        r.lossSpan,
        throughHint(rules, r, dead, roleOf) ??
          'noise scales need a stochastic loss (mean[K] e, not deterministic e); accuracy and ECE are not differentiable; metrics and stop_gradient(...) are constants',
      ),
    );
  }
};
