/**
 * The partition: every trainable parameter is updated by exactly one rule's partition, unless it
 * is frozen. Two rules may share a parameter only as a direction pair (one `along d`, one
 * `orthogonal to d`) or when they run in different phases.
 */
import { error, type Diagnostic } from '../../dsl/diagnostic.js';
import type { Span } from '../../dsl/span.js';
import { Codes } from '../codes.js';
import type { IRGeometry } from '../ir.js';
import type { Container } from '../resolve/imports.js';

export interface RuleTargets {
  readonly name: string;
  readonly partition: string;
  readonly targets: readonly string[];
  readonly geometry: IRGeometry['kind'];
  readonly container: Container;
  readonly targetSpan: Span;
}

export interface ParamFacts {
  readonly path: string;
  readonly frozen: boolean;
  /** A population hyper-parameter: a `hyper` declaration or selected by `freeze` inside `population`. */
  readonly hyper: boolean;
  /** Targeted by a rule that failed to compile (reported already): not reported as in no partition. */
  readonly ownedElsewhere?: boolean;
  readonly span: Span;
}

const phaseOf = (c: Container): number | undefined => (c.kind === 'phase' ? c.index : undefined);

/** Whether two rules may both update the same parameter. */
export const compatible = (a: RuleTargets, b: RuleTargets): boolean => {
  const pa = phaseOf(a.container);
  const pb = phaseOf(b.container);
  if (pa !== undefined && pb !== undefined && pa !== pb) return true;
  const kinds = new Set([a.geometry, b.geometry]);
  return kinds.has('along') && kinds.has('orthogonal');
};

export const assignPartitions = (
  rules: readonly RuleTargets[],
  params: readonly ParamFacts[],
  diags: Diagnostic[],
  /** Clashes already reported by another check. */
  reported: (a: RuleTargets, b: RuleTargets) => boolean = () => false,
): { partitionOf: Map<string, string>; partitions: Record<string, string[]> } => {
  const partitionOf = new Map<string, string>();
  const partitions: Record<string, string[]> = {};
  const members = new Map<string, Set<string>>();
  const add = (part: string, path: string): void => {
    const list = (partitions[part] ??= []);
    const seen = members.get(part) ?? members.set(part, new Set()).get(part)!;
    if (seen.has(path)) return;
    seen.add(path);
    list.push(path);
  };
  const owners = new Map<string, RuleTargets[]>();
  for (const r of rules) {
    for (const p of r.targets) {
      const prev = owners.get(p) ?? [];
      const clash = prev.find((q) => !compatible(q, r) && !reported(q, r));
      if (clash !== undefined) {
        diags.push({
          ...error(
            Codes.twoPartitions,
            `parameter '${p}' is updated by two rules (${clash.name} in ${clash.partition}, ${r.name} in ${r.partition})`,
            r.targetSpan,
            'give each parameter one rule, split the directions with `along` / `orthogonal to`, or put the rules in different phases',
          ),
          related: [{ span: clash.targetSpan, message: 'first updated here' }],
        });
      }
      if (prev.length === 0) owners.set(p, [r]);
      else prev.push(r);
      if (!partitionOf.has(p)) partitionOf.set(p, r.partition);
      add(r.partition, p);
    }
  }
  for (const p of params) {
    if (p.hyper) {
      const rule = owners.get(p.path)?.[0];
      if (rule !== undefined)
        diags.push({
          ...error(
            Codes.hyperUpdated,
            `parameter '${p.path}' is a hyper-parameter of the population: exploit and explore change it, so no rule may update it (${rule.name} does)`,
            rule.targetSpan,
            `remove it from the rule's targets, e.g. '... - ${p.path}'`,
          ),
          related: [{ span: p.span, message: 'made a hyper-parameter here' }],
        });
      partitionOf.set(p.path, 'hyper');
      add('hyper', p.path);
      continue;
    }
    if (p.frozen) {
      if (!owners.has(p.path)) {
        partitionOf.set(p.path, 'frozen');
        add('frozen', p.path);
      }
      continue;
    }
    if (!owners.has(p.path) && p.ownedElsewhere !== true)
      diags.push(
        error(Codes.noPartition, `parameter '${p.path}' is in no partition: no rule updates it and nothing freezes it`, p.span, `add an update rule for it, or 'freeze ${p.path}'`),
      );
  }
  return { partitionOf, partitions };
};
