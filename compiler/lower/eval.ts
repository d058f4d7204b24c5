/**
 * IR expressions → closures over tensors, built once at lowering time: every registry entry is
 * looked up and every option checked here, so evaluating a step interprets no names.
 */
import { tf } from '../../stdlib/tf.js';
import * as E from 'fp-ts/lib/Either.js';
import { type Diagnostic, error } from '../../dsl/diagnostic.js';
import type { FnDef, LayerDef, StatefulFnDef } from '../../stdlib/types.js';
import { lookup, type Registry } from '../../stdlib/registry.js';
import { children as childrenOf, type IRExpr } from '../ir.js';
import { LowerCodes, NO_SWEEP_VALUE_HINT } from './codes.js';
import { type Batches, batchKey } from './types.js';
import { binary, stopGradient } from './tensor-ops.js';
import { mixupEv } from './mixup.js';
import { lambdaMaxEv } from './lambda-max.js';
import { at, opWords, shapesText, shapeText } from './located.js';

export type HelperState = Readonly<Record<string, tf.Tensor>>;

/** What one evaluation reads. `helpers` is threaded: each stateful call replaces its entry. */
export interface Env {
  readonly params: Readonly<Record<string, tf.Tensor>>;
  readonly batches: Batches;
  readonly stochastic: boolean;
  readonly nextSeed: () => number;
  readonly helpers: Record<string, HelperState>;
  /** Parameter path → [the gradient its rule last applied] (`applied_grad`; see applied.ts). */
  readonly applied: Readonly<Record<string, readonly tf.Tensor[]>>;
}

export type Ev = (env: Env) => tf.Tensor;

/** Values of `sweep` variables for the member being lowered. */
export type { SweepValues } from '../sweep-arith.js';
import type { SweepValues } from '../sweep-arith.js';

type Result = E.Either<Diagnostic[], Ev>;

const all = (rs: readonly Result[]): E.Either<Diagnostic[], Ev[]> => {
  const errs = rs.flatMap((r) => (E.isLeft(r) ? r.left : []));
  return errs.length > 0 ? E.left(errs) : E.right(rs.map((r) => (r as E.Right<Ev>).right));
};

const need = <T>(rec: Readonly<Record<string, T>>, k: string, what: string): T => {
  const v = rec[k];
  // The runtime supplies what `needs` lists and `init` made every parameter: a miss is its bug.
  if (v === undefined) throw new Error(`internal error: no ${what} '${k}' at evaluation time`);
  return v;
};

const entry = <K extends 'fn' | 'layer' | 'stateful'>(
  registry: Registry,
  name: string,
  kind: K,
  e: IRExpr,
): E.Either<Diagnostic[], Extract<FnDef | LayerDef | StatefulFnDef, { kind: K }>> => {
  const d = lookup(registry, name);
  if (d === undefined || d.kind !== kind) {
    return E.left([error(LowerCodes.unknownEntry, `lowering: the registry has no ${kind} '${name}'`, e.span)]);
  }
  return E.right(d as Extract<FnDef | LayerDef | StatefulFnDef, { kind: K }>);
};

const numericShape = (e: IRExpr): number[] | undefined =>
  e.shape.every((d): d is number => typeof d === 'number') ? [...e.shape] : undefined;

/** Sees every node's value right after it is computed (children before parents). */
export type Probe = (node: IRExpr, value: tf.Tensor) => void;

/**
 * The closure computing `e`. With a `probe` (only when looking for the first non-finite value,
 * nonfinite.ts) every node hands it its value; without one nothing is added to any node.
 */
export const compileExpr = (e: IRExpr, registry: Registry, sweep: SweepValues, probe?: Probe): Result => {
  const r = compileNode(e, registry, sweep, probe);
  if (probe === undefined) return r;
  return E.map((ev: Ev): Ev => (env) => {
    const v = ev(env);
    probe(e, v);
    return v;
  })(r);
};

const compileNode = (e: IRExpr, registry: Registry, sweep: SweepValues, probe: Probe | undefined): Result => {
  const sub = (x: IRExpr): Result => compileExpr(x, registry, sweep, probe);
  switch (e.kind) {
    case 'const': {
      const v = e.value;
      if (typeof v === 'number') return E.right(() => tf.scalar(v));
      const shape = numericShape(e) ?? [v.length];
      const data = Float32Array.from(v);
      return E.right(() => tf.tensor(data, shape));
    }
    case 'field': {
      const key = batchKey(e.data, e.split);
      const field = e.field;
      return E.right((env) => need(need(env.batches, key, 'batch'), field, `field of ${key}`));
    }
    case 'param': {
      const path = e.path;
      return E.right((env) => need(env.params, path, 'parameter'));
    }
    case 'appliedGrad': {
      const path = e.path;
      // The residual rides with the gradient it came with (applied.ts); NaN before the first solve.
      if (e.residual === true) return E.right((env) => env.applied[path]?.[1] ?? tf.scalar(Number.NaN));
      // Before the rule first fires nothing was applied: zeros of the parameter's shape.
      return E.right((env) => env.applied[path]?.[0] ?? tf.zerosLike(need(env.params, path, 'parameter')));
    }
    case 'flatParams': {
      const paths = e.paths;
      const span = e.span;
      return E.right((env) => at(span, () => "the flattened parameters 'flat(…)'", () => tf.concat(paths.map((p) => tf.reshape(need(env.params, p, 'parameter'), [-1])))));
    }
    case 'sweepVar': {
      const v = sweep[e.name];
      if (v === undefined) {
        return E.left([
          error(
            LowerCodes.noSweepValue,
            `the sweep variable '${e.name}' has no value for this member`,
            e.span,
            NO_SWEEP_VALUE_HINT,
          ),
        ]);
      }
      return E.right(() => tf.scalar(v));
    }
    case 'call': {
      const { options, span, fn } = e;
      return E.chain(([def, args]: readonly [FnDef, Ev[]]) =>
        E.right<Diagnostic[], Ev>((env) => {
          const xs = args.map((a) => a(env));
          return at(span, () => `the call ${fn}(…) on ${xs.length === 1 ? 'an argument of shape' : 'arguments of shapes'} ${shapesText(xs)}`, () => def.apply(xs, options));
        }),
      )(
        E.chain((def: FnDef) => E.map((args: Ev[]) => [def, args] as const)(all(e.args.map(sub))))(entry(registry, e.fn, 'fn', e)),
      );
    }
    case 'layer': {
      const leaves = Object.entries(e.params);
      const { args, span, layer } = e;
      return E.chain((def: LayerDef) =>
        E.map(
          (input: Ev): Ev =>
            (env) => {
              const p: Record<string, tf.Tensor> = {};
              for (const [leaf, path] of leaves) p[leaf] = need(env.params, path, 'parameter');
              const x = input(env);
              return at(span, () => `the layer ${layer} on an input of shape ${shapeText(x)}`, () =>
                def.apply(p, x, args, { stochastic: env.stochastic, nextSeed: env.nextSeed }),
              );
            },
        )(sub(e.input)),
      )(entry(registry, e.layer, 'layer', e));
    }
    case 'binary': {
      const { op, span } = e;
      return E.map(([l, r]: Ev[]): Ev => (env) => {
        const a = (l as Ev)(env);
        const b = (r as Ev)(env);
        return at(span, () => `${opWords(op)} of shapes ${shapesText([a, b])}`, () => binary(op, a, b));
      })(all([sub(e.left), sub(e.right)]));
    }
    case 'neg': {
      const span = e.span;
      return E.map((x: Ev): Ev => (env) => {
        const v = x(env);
        return at(span, () => `the negation of a value of shape ${shapeText(v)}`, () => tf.neg(v));
      })(sub(e.operand));
    }
    case 'reshape': {
      // The batch is the one dimension a compiler-inserted reshape may leave open.
      const target = e.shape.map((d) => (typeof d === 'number' ? d : -1));
      if (target.filter((d) => d === -1).length > 1) {
        return E.left([error(LowerCodes.reshape, `lowering: cannot reshape to [${e.shape.join(', ')}] (more than one open dimension)`, e.span)]);
      }
      const span = e.span;
      return E.map((x: Ev): Ev => (env) => {
        const v = x(env);
        return at(span, () => `the model applied to one example of shape ${shapeText(v)}`, () => tf.reshape(v, target));
      })(sub(e.operand));
    }
    case 'mean': {
      const k = e.samples;
      return E.map((body: Ev): Ev => (env) => {
        let acc = body(env);
        for (let i = 1; i < k; i++) acc = tf.add(acc, body(env));
        return tf.div(acc, k);
      })(sub(e.body));
    }
    case 'deterministic':
      return E.map((body: Ev): Ev => (env) => body({ ...env, stochastic: false }))(sub(e.body));
    case 'over':
      // Fields name their split; the body's losses already average over the batch.
      return sub(e.body);
    case 'stateful': {
      const { options, span, fn } = e;
      const key = e.stateKey;
      return E.chain((def: StatefulFnDef) =>
        E.map(
          (input: Ev): Ev =>
            (env) => {
              const x = input(env);
              const r = at(span, () => `the call ${fn}(…) on an argument of shape ${shapeText(x)}`, () => def.apply(need(env.helpers, key, 'helper state'), x, options));
              env.helpers[key] = r.state;
              return r.value;
            },
        )(sub(e.input)),
      )(entry(registry, e.fn, 'stateful', e));
    }
    case 'ref':
      return e.stopGradient ? E.map((body: Ev): Ev => (env) => stopGradient(body(env)))(sub(e.body)) : sub(e.body);
    case 'mixup': {
      const node = e;
      return E.map((body: Ev): Ev => mixupEv(node, body))(sub(e.body));
    }
    case 'lambdaMax': {
      const node = e;
      return E.map((body: Ev): Ev => lambdaMaxEv(node, body))(sub(e.body));
    }
    case 'members':
      // lowerProgram unrolls ensembles first (ensemble.ts): a `members` node left here has no ensemble.
      return E.left([
        error(LowerCodes.unsupported, `lowering: '${e.alias}(…)' (the ensemble mean) needs an ensemble in the program`, e.span),
      ]);
  }
};

/** Every stateful node below `e` (to initialize their states). */
export const statefulNodes = (e: IRExpr): Extract<IRExpr, { kind: 'stateful' }>[] => {
  const out: Extract<IRExpr, { kind: 'stateful' }>[] = [];
  const walk = (x: IRExpr): void => {
    if (x.kind === 'stateful') out.push(x);
    for (const c of childrenOf(x)) walk(c);
  };
  walk(e);
  return out;
};
