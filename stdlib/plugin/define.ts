/**
 * The public way to add to the language (`import { defineFn, … } from 'xreg/plugin'`). Each
 * constructor takes one object holding everything about an entry — its shape rule, its
 * computation, an optional gradient and its option check — and returns a registry entry of the
 * same kind the standard library is made of, so a plugin entry is checked, lowered and run by the
 * same code as a built-in one.
 *
 * Shape rules answer with a shape, or with a string saying why the shapes cannot meet (the compiler
 * shows it at the call). The computation is checked against the rule on every call: a rule that
 * says one shape while the computation returns another is a bug in the plugin, reported by name
 * on its first evaluation instead of surfacing as a broadcast error far away.
 */
import { tf } from '../tf.js';
import * as E from 'fp-ts/lib/Either.js';
import type {
  ApplyContext,
  ArgSpec,
  ConstArgs,
  Dataset,
  DataError,
  FnDef,
  LayerDef,
  LoaderDef,
  OptimizerDef,
  ParamSpec,
  Schema,
  Shape,
} from '../types.js';

/** A shape, or why there is none. */
export type ShapeAnswer = Shape | string;

const answer = <A>(a: A | string): E.Either<string, A> => (typeof a === 'string' ? E.left(a) : E.right(a));

const validated = (validate: ((o: ConstArgs) => string | undefined) | undefined, options: ConstArgs): E.Either<string, void> => {
  const why = validate?.(options);
  return why === undefined ? E.right(undefined) : E.left(why);
};

const show = (s: readonly (number | string)[]): string => `[${s.join(', ')}]`;

/** A symbolic dimension in a rule (`'B'`, `'n'`) matches any size; a number must be equal. */
const sameShape = (declared: Shape, actual: readonly number[]): boolean =>
  declared.length === actual.length && declared.every((d, i) => typeof d === 'string' || d === actual[i]);

/** Thrown from a computation when it contradicts its own shape rule; the runtime shows the message. */
export class ShapeRuleBroken extends Error {}

const lied = (what: string, name: string, declared: Shape, actual: readonly number[]): ShapeRuleBroken =>
  new ShapeRuleBroken(
    `the plugin ${what} '${name}' broke its own shape rule: the rule says ${show(declared)}, the computation returned ${show(actual)}`,
  );

export interface FnSpec {
  readonly name: string;
  /** Names of the positional tensor arguments (`['W']`). */
  readonly args: readonly string[];
  /** Named constant options (`strength: 0.1`), with defaults. */
  readonly options?: readonly ArgSpec[];
  /** Shape of the result from the shapes of the tensor arguments. */
  readonly shape: (shapes: readonly Shape[], options: ConstArgs) => ShapeAnswer;
  readonly compute: (args: readonly tf.Tensor[], options: ConstArgs) => tf.Tensor;
  /**
   * The gradient of a scalar-weighted result `dy` with respect to each tensor argument; absent:
   * TensorFlow.js differentiates `compute`.
   */
  readonly gradient?: (args: readonly tf.Tensor[], dy: tf.Tensor, options: ConstArgs) => readonly tf.Tensor[];
  /** Why these options are wrong, or undefined when they are fine (checked at compile time). */
  readonly validate?: (options: ConstArgs) => string | undefined;
  /** False for functions no gradient flows through (counts, argmax). Default true. */
  readonly differentiable?: boolean;
}

const withGradient = (spec: FnSpec, args: readonly tf.Tensor[], options: ConstArgs): tf.Tensor => {
  const gradient = spec.gradient;
  if (gradient === undefined) return spec.compute(args, options);
  // customGrad passes the inputs followed by a save function; only the tensors are ours.
  const f = tf.customGrad((...xs: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const inputs = xs.filter((x): x is tf.Tensor => x instanceof tf.Tensor);
    // The backward pass runs outside every expression of the program: the entry names itself.
    const gradFunc = (dy: tf.Tensor | tf.Tensor[]): tf.Tensor[] => {
      try {
        return [...gradient(inputs, Array.isArray(dy) ? (dy[0] as tf.Tensor) : dy, options)];
      } catch (e) {
        throw new Error(`the gradient of the plugin function '${spec.name}' failed: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
      }
    };
    return { value: spec.compute(inputs, options), gradFunc };
  });
  return f(...args);
};

export const defineFn = (spec: FnSpec): FnDef => ({
  kind: 'fn',
  name: spec.name,
  tensorArgs: spec.args,
  options: spec.options ?? [],
  differentiable: spec.differentiable ?? true,
  infer: (shapes, options) =>
    shapes.length !== spec.args.length
      ? E.left(`${spec.name} takes ${spec.args.length} tensor argument${spec.args.length === 1 ? '' : 's'} (${spec.args.join(', ')}), got ${shapes.length}`)
      : E.chain(() => answer(spec.shape(shapes, options)))(validated(spec.validate, options)),
  apply: (args, options) => {
    const out = tf.tidy(() => withGradient(spec, args, options));
    const declared = answer(spec.shape(args.map((a) => a.shape), options));
    if (E.isRight(declared) && !sameShape(declared.right, out.shape)) {
      out.dispose();
      throw lied('function', spec.name, declared.right, out.shape);
    }
    return out;
  },
});

export interface LayerSpec {
  readonly name: string;
  /** Constant arguments (`units`), with defaults. */
  readonly args?: readonly ArgSpec[];
  /** The parameters the layer owns, from the per-example input shape (batch excluded). */
  readonly params?: (inShape: readonly number[], args: ConstArgs) => readonly ParamSpec[] | string;
  /** The per-example output shape. */
  readonly shape: (inShape: readonly number[], args: ConstArgs) => readonly number[] | string;
  /** Applies the layer to a batch `x` of shape `[B, ...inShape]`. */
  readonly compute: (params: Readonly<Record<string, tf.Tensor>>, x: tf.Tensor, args: ConstArgs, ctx: ApplyContext) => tf.Tensor;
  readonly validate?: (args: ConstArgs) => string | undefined;
  /** True when the layer draws randomness (it must then be the identity in expectation when `ctx.stochastic` is false). */
  readonly stochastic?: boolean;
}

export const defineLayer = (spec: LayerSpec): LayerDef => ({
  kind: 'layer',
  name: spec.name,
  args: spec.args ?? [],
  stochastic: spec.stochastic ?? false,
  infer: (inShape, args) =>
    E.chain(() =>
      E.chain((params: readonly ParamSpec[]) => E.map((outShape: readonly number[]) => ({ params, outShape }))(answer(spec.shape(inShape, args))))(
        answer(spec.params?.(inShape, args) ?? []),
      ),
    )(validated(spec.validate, args)),
  apply: (params, x, args, ctx) => {
    const out = tf.tidy(() => spec.compute(params, x, args, ctx));
    const declared = answer(spec.shape(x.shape.slice(1), args));
    if (E.isRight(declared) && !sameShape([x.shape[0] ?? 1, ...declared.right], out.shape)) {
      out.dispose();
      throw lied('layer', spec.name, ['B', ...declared.right], out.shape);
    }
    return out;
  },
});

export interface OptimizerSpec {
  readonly name: string;
  /** Options besides `lr` (which every optimizer takes). */
  readonly options?: readonly ArgSpec[];
  readonly validate?: (options: ConstArgs) => string | undefined;
  /** Fresh state (named slots, one tensor per parameter) and one update; as the built-in optimizers'. */
  readonly init: OptimizerDef['init'];
  readonly step: OptimizerDef['step'];
}

const lrSpec: ArgSpec = { name: 'lr', type: 'number', doc: 'base learning rate' };

export const defineOptimizer = (spec: OptimizerSpec): OptimizerDef => ({
  kind: 'optimizer',
  name: spec.name,
  options: [lrSpec, ...(spec.options ?? []).filter((o) => o.name !== 'lr')],
  validate: (options) => validated(spec.validate, options),
  init: spec.init,
  step: spec.step,
});

export interface LoaderSpec {
  readonly name: string;
  readonly args?: readonly ArgSpec[];
  /** The fields and per-example shapes the loader produces, from its arguments alone. */
  readonly schema: (args: ConstArgs) => Schema | string;
  /** Reads or generates the data; relative paths resolve against `baseDir`, the program's folder. */
  readonly load: (args: ConstArgs, baseDir: string) => Promise<Dataset | DataError>;
}

const isDataset = (d: Dataset | DataError): d is Dataset => 'fields' in d && 'size' in d;

export const defineLoader = (spec: LoaderSpec): LoaderDef => ({
  kind: 'loader',
  name: spec.name,
  args: spec.args ?? [],
  schema: (args) => answer(spec.schema(args)),
  load: async (args, baseDir) => {
    const d = await spec.load(args, baseDir);
    return isDataset(d) ? E.right(d) : E.left(d);
  },
});
