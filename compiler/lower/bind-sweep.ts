/**
 * One sweep member's program: every constant that reads a sweep variable (a layer argument, a
 * function or helper option; see `compiler/types/sweep-args.ts`) evaluated with the member's
 * values, and a layer's parameters initialized from its member's arguments (a noise layer's
 * `init`). The compiler calls it for every member, so a value only a later member gets wrong is a
 * located error of `xreg check`; lowering calls it for the member it lowers.
 */
import * as E from 'fp-ts/lib/Either.js';
import { error, type Diagnostic } from '../../dsl/diagnostic.js';
import { lookup, type Registry } from '../../stdlib/registry.js';
import type { ConstArgs, Init } from '../../stdlib/types.js';
import { Codes } from '../codes.js';
import { children, type IRExpr, type IRProgram } from '../ir.js';
import { mapBottomUp, mapProgramExprs } from '../ir-map.js';
import { evalSweepNumber, showMember, type SweepValues } from '../sweep-arith.js';

const sameShape = (a: readonly (number | string)[], b: readonly (number | string)[]): boolean => a.length === b.length && a.every((x, i) => x === b[i]);

const swept = (e: IRExpr): boolean =>
  (e.kind === 'call' && e.sweepOptions !== undefined) || (e.kind === 'stateful' && e.sweepOptions !== undefined) || (e.kind === 'layer' && e.sweep !== undefined) || children(e).some(swept);

/** Whether any constant of the program reads a sweep variable. */
export const hasSweptConstants = (ir: IRProgram): boolean => {
  let found = false;
  mapProgramExprs(ir, (e) => {
    found ||= swept(e);
    return e;
  });
  return found;
};


export const bindSweepMember = (ir: IRProgram, registry: Registry, sweep: SweepValues): E.Either<Diagnostic[], IRProgram> => {
  const diags: Diagnostic[] = [];
  const inits = new Map<string, Init>();
  const bad = (e: IRExpr, what: string, why: string): IRExpr => {
    diags.push(
      error(
        Codes.sweepShape,
        `the member with ${showMember(sweep)} cannot be built: ${what} ${why}`,
        e.span,
        'a sweep variable may change a value, not a shape: every member needs the same parameters and layer outputs as the first',
      ),
    );
    return e;
  };
  const bindArgs = (e: IRExpr, base: ConstArgs, exprs: Readonly<Record<string, IRExpr>>): ConstArgs | undefined => {
    const out: Record<string, ConstArgs[string]> = { ...base };
    for (const [k, x] of Object.entries(exprs)) {
      const v = evalSweepNumber(x, sweep);
      if (E.isLeft(v)) {
        bad(e, `argument '${k}':`, v.left);
        return undefined;
      }
      out[k] = v.right;
    }
    return out;
  };
  const bind = (e: IRExpr): IRExpr => {
    if (e.kind === 'call' && e.sweepOptions !== undefined) {
      const options = bindArgs(e, e.options, e.sweepOptions);
      const def = lookup(registry, e.fn);
      if (options === undefined || def?.kind !== 'fn') return e;
      const shape = def.infer(
        e.args.map((a) => a.shape),
        options,
      );
      if (E.isLeft(shape)) return bad(e, `${e.fn}:`, shape.left);
      if (!sameShape(shape.right, e.shape)) return bad(e, e.fn, `would give shape [${shape.right.join(', ')}] instead of [${e.shape.join(', ')}]`);
      return { ...e, options };
    }
    if (e.kind === 'stateful' && e.sweepOptions !== undefined) {
      const options = bindArgs(e, e.options, e.sweepOptions);
      const def = lookup(registry, e.fn);
      if (options === undefined || def?.kind !== 'stateful') return e;
      const checked = def.check?.(options);
      if (checked !== undefined && E.isLeft(checked)) return bad(e, e.fn, checked.left);
      return { ...e, options };
    }
    if (e.kind === 'layer' && e.sweep !== undefined) {
      const args = bindArgs(e, e.args, e.sweep.args);
      const def = lookup(registry, e.layer);
      if (args === undefined || def?.kind !== 'layer') return e;
      const inferred = def.infer(e.sweep.inShape, args);
      if (E.isLeft(inferred)) return bad(e, `layer ${e.layer}:`, inferred.left);
      if (!sameShape(inferred.right.outShape, e.shape.slice(1))) return bad(e, `layer ${e.layer}`, `would output shape [${inferred.right.outShape.join(', ')}] instead of [${e.shape.slice(1).join(', ')}]`);
      for (const p of inferred.right.params) {
        const path = e.params[p.name];
        const known = ir.params.find((q) => q.path === path);
        if (path === undefined || known === undefined) continue;
        if (!sameShape(p.shape, known.shape)) return bad(e, `parameter ${path}`, `would have shape [${p.shape.join(', ')}] instead of [${known.shape.join(', ')}]`);
        inits.set(path, p.init);
      }
      return { ...e, args };
    }
    return e;
  };
  const out = mapProgramExprs(ir, (x) => mapBottomUp(x, bind));
  if (diags.length > 0) return E.left(diags.slice(0, 1));
  return E.right({ ...out, params: out.params.map((p) => (inits.has(p.path) ? { ...p, init: inits.get(p.path)! } : p)) });
};
