/**
 * An unrolled ensemble trained in parts (`xreg run FILE --member I`). Lowering unrolls
 * `ensemble N` into one program whose member i owns the parameters `m<i>.…` and the rules
 * `…@m<i>` (compiler/lower/ensemble.ts). Member i's rules read only its own parameters and the
 * step's batches, which every member shares, so a part can fire member i's rules alone — at their
 * places in the step, so that their random keys are the whole run's — and end with the parameters
 * the whole run gives member i. What a part cannot compute is what reads several members at once
 * (the ensemble's average, `avg(...)`): it is left out of the part's reports and evaluated by
 * `xreg merge` on the joined parameters at the end (runtime/ensemble-merge.ts).
 */
import * as E from 'fp-ts/lib/Either.js';
import { children, type IRExpr, type IRProgram, type IRRule } from '../compiler/ir.js';
import type { LoweredObservable, LoweredProgram, LoweredRule } from '../compiler/lower/types.js';

/** What a part trains and reports: a rule or report item is in it when it reads only the part's members. */
export interface Scope {
  readonly rule: (r: LoweredRule) => boolean;
  readonly item: (o: LoweredObservable) => boolean;
}

export const EnsembleCodes = {
  /** `--member` on an ensemble whose members train together. */
  coupled: 'E0856',
  /** `xreg merge` of an ensemble's parts that do not make the ensemble. */
  merge: 'E0857',
} as const;

const MEMBER_RULE = /@m(\d+)$/;

/** Every rule of an unrolled program, the phases' included. */
const rulesOf = (ir: IRProgram): IRRule[] => [...ir.rules, ...ir.phases.flatMap((ph) => ph.rules)];

/** The parameter paths the ensemble replicates (`m<i>.…`), each with its member (`ir` unrolled). */
export const replicatedPaths = (ir: IRProgram): ReadonlyMap<string, number> => {
  const out = new Map<string, number>();
  for (const r of rulesOf(ir)) {
    const m = MEMBER_RULE.exec(r.name);
    if (m !== null) for (const t of r.targets) out.set(t, Number(m[1]));
  }
  return out;
};

/** The members whose parameters an expression reads. */
const membersRead = (e: IRExpr, paths: ReadonlyMap<string, number>, into: Set<number>): Set<number> => {
  const see = (path: string): void => {
    const i = paths.get(path);
    if (i !== undefined) into.add(i);
  };
  if (e.kind === 'param' || e.kind === 'appliedGrad') see(e.path);
  else if (e.kind === 'flatParams') e.paths.forEach(see);
  else if (e.kind === 'layer') Object.values(e.params).forEach(see);
  for (const c of children(e)) membersRead(c, paths, into);
  return into;
};

const ruleMembers = (r: IRRule, paths: ReadonlyMap<string, number>): Set<number> => {
  const s = new Set<number>();
  for (const t of r.targets) {
    const i = paths.get(t);
    if (i !== undefined) s.add(i);
  }
  membersRead(r.loss, paths, s);
  if (r.geometry.kind !== 'none') membersRead(r.geometry.direction, paths, s);
  if (r.implicit !== undefined) membersRead(r.implicit.loss, paths, s);
  return s;
};

/**
 * Why the members of an unrolled ensemble cannot train apart, or undefined: a rule reading several
 * members (one written outside the ensemble that minimizes the average over members, say).
 */
export const coupledRule = (ir: IRProgram): string | undefined => {
  const paths = replicatedPaths(ir);
  const r = rulesOf(ir).find((x) => ruleMembers(x, paths).size > 1);
  if (r === undefined) return undefined;
  const sp = r.span;
  return `the update at ${sp.file}:${sp.start.line}:${sp.start.column} reads every member of the ensemble (${r.lossName !== undefined ? `its loss ${r.lossName} ` : ''}averages over them), so the members train together; run the ensemble whole`;
};

/**
 * The scope of a part training members `only` of an ensemble of `size`, or why the ensemble cannot
 * be split: a rule reading several members (one written outside the ensemble that minimizes the
 * average over members, say) couples them.
 */
export const ensembleScope = (p: LoweredProgram, only: readonly number[]): E.Either<string, Scope> => {
  const paths = replicatedPaths(p.ir);
  const mine = new Set(only);
  const coupled = coupledRule(p.ir);
  if (coupled !== undefined) return E.left(coupled);
  const exprs = new Map<string, IRExpr>([...p.ir.losses, ...p.ir.metrics, ...(p.ir.report?.items ?? [])].map((n) => [n.name, n.expr]));
  const within = (ms: ReadonlySet<number>): boolean => [...ms].every((i) => mine.has(i));
  return E.right({
    rule: (r) => within(ruleMembers(r.ir, paths)),
    // A figure's series has no expression here: it is read as reading every member (evaluated at the merge).
    item: (o) => {
      const e = exprs.get(o.name);
      return e !== undefined && within(membersRead(e, paths, new Set()));
    },
  });
};
