/**
 * What a standard-library entry is. The compiler reads the static half (argument specs, shape
 * rules, parameter specs) to check a program without touching data; the lowered step functions
 * call the dynamic half (`apply`) on TensorFlow.js tensors. A user extends the language by adding
 * an entry of one of these kinds to a registry.
 */
import type * as tf from '@tensorflow/tfjs-core';
import type { Either } from 'fp-ts/lib/Either.js';

/** A dimension: a known size, or a symbolic one such as the batch `B`. */
export type Dim = number | string;
/** Shape of one example (layers) or of a whole value (functions); the batch is an explicit `'B'`. */
export type Shape = readonly Dim[];

/** Compile-time constant arguments of a layer or option arguments of a function (`lr: 0.01`). */
export type ConstValue = number | boolean | string | readonly ConstValue[];

export interface ArgSpec {
  readonly name: string;
  readonly type: 'int' | 'number' | 'bool' | 'string' | 'list';
  /** Absent: the argument is required. */
  readonly default?: ConstValue;
  readonly doc?: string;
}

export type ConstArgs = Readonly<Record<string, ConstValue>>;

/** How a fresh parameter is filled: deterministic initializers draw from the run's seeded key. */
export type Init =
  | { readonly kind: 'zeros' }
  | { readonly kind: 'ones' }
  | { readonly kind: 'constant'; readonly value: number }
  | { readonly kind: 'normal'; readonly mean: number; readonly std: number }
  | { readonly kind: 'uniform'; readonly low: number; readonly high: number }
  /** Glorot/Xavier uniform over fanIn + fanOut. */
  | { readonly kind: 'glorot'; readonly fanIn: number; readonly fanOut: number }
  /** He normal over fanIn (ReLU networks). */
  | { readonly kind: 'he'; readonly fanIn: number };

/**
 * The role a parameter plays, so that selectors such as `noise_scales(net)` or `weights(net)`
 * can pick parameters out of a model without naming them one by one.
 */
export type ParamRole = 'weight' | 'bias' | 'scale' | 'shift' | 'noise_scale' | 'magnitude' | 'other';

export interface ParamSpec {
  /** Leaf name, e.g. `w`, `b`, `log_sigma`. The compiler prefixes the path (`net.block3.noise`). */
  readonly name: string;
  readonly shape: readonly number[];
  readonly init: Init;
  readonly role: ParamRole;
}

/** What every stochastic evaluation needs: whether noise is on, and a fresh seed per draw. */
export interface ApplyContext {
  /** False under `deterministic`: every stochastic layer must then be the identity in expectation. */
  readonly stochastic: boolean;
  /** A new seed for each random draw; derived from the run's key, so runs are reproducible. */
  readonly nextSeed: () => number;
}

/** A layer: parameters inferred from the input's per-example shape, applied to a batch. */
export interface LayerDef {
  readonly kind: 'layer';
  readonly name: string;
  readonly args: readonly ArgSpec[];
  /** True when the layer draws randomness (noise, dropout, augmentation). */
  readonly stochastic: boolean;
  /**
   * Given the per-example input shape (batch excluded) and the constant arguments: the parameters
   * the layer owns and the per-example output shape, or a message saying why the shapes cannot meet.
   */
  readonly infer: (
    inShape: readonly number[],
    args: ConstArgs,
  ) => Either<string, { readonly params: readonly ParamSpec[]; readonly outShape: readonly number[] }>;
  /** Applies the layer to a batch `x` of shape `[B, ...inShape]`. */
  readonly apply: (
    params: Readonly<Record<string, tf.Tensor>>,
    x: tf.Tensor,
    args: ConstArgs,
    ctx: ApplyContext,
  ) => tf.Tensor;
}

/**
 * A function of tensors (activations, losses, metrics, regularizers, reductions).
 * `tensorArgs` are the positional tensor inputs; `options` the named constants.
 */
export interface FnDef {
  readonly kind: 'fn';
  readonly name: string;
  readonly tensorArgs: readonly string[];
  readonly options: readonly ArgSpec[];
  /** Shape of the result from the shapes of the tensor arguments (dims may be symbolic). */
  readonly infer: (shapes: readonly Shape[], options: ConstArgs) => Either<string, Shape>;
  /** Whether a gradient flows through it (accuracy and argmax are not differentiable). */
  readonly differentiable: boolean;
  readonly apply: (args: readonly tf.Tensor[], options: ConstArgs) => tf.Tensor;
}

// ---------------------------------------------------------------------------------------------
// Data loaders
// ---------------------------------------------------------------------------------------------

export type DType = 'float32' | 'int32';

/** Static description of one field of every example: known before any file is read. */
export interface FieldSchema {
  readonly dtype: DType;
  /** Per-example shape; a string dimension is unknown until the data is loaded (a CSV's width). */
  readonly shape: Shape;
  /** For integer class labels: the number of classes, when known statically. */
  readonly classes?: number;
}

export type Schema = Readonly<Record<string, FieldSchema>>;

/** A loaded data set: plain typed arrays, example-major, so the runtime owns all tensor lifetimes. */
export interface Field {
  readonly dtype: DType;
  readonly shape: readonly number[];
  readonly data: Float32Array | Int32Array;
  readonly classes?: number;
}

export interface Dataset {
  readonly size: number;
  readonly fields: Readonly<Record<string, Field>>;
}

/** What went wrong loading data, said so a researcher can fix it without reading a stack trace. */
export interface DataError {
  /** The file involved, when there is one. */
  readonly file?: string;
  /** What was wrong ("line 17 has 9 columns, the header has 11"). */
  readonly message: string;
  /** How to get or fix it ("apt-get install -y dataset-fashion-mnist"). */
  readonly hint?: string;
}

export interface LoaderDef {
  readonly kind: 'loader';
  readonly name: string;
  readonly args: readonly ArgSpec[];
  /** The fields and per-example shapes this loader will produce, from its arguments alone. */
  readonly schema: (args: ConstArgs) => Either<string, Schema>;
  /** Reads or generates the data. Relative paths resolve against `baseDir` (the program's folder). */
  readonly load: (args: ConstArgs, baseDir: string) => Promise<Either<DataError, Dataset>>;
}

/** A transform of a whole data set (`|> standardize`), applied after loading and before splitting. */
export interface TransformDef {
  readonly kind: 'transform';
  readonly name: string;
  readonly args: readonly ArgSpec[];
  readonly schema: (input: Schema, args: ConstArgs) => Either<string, Schema>;
  readonly apply: (input: Dataset, args: ConstArgs) => Either<DataError, Dataset>;
}

// ---------------------------------------------------------------------------------------------
// Optimizers: pure state transformers
// ---------------------------------------------------------------------------------------------

/**
 * Optimizer state: named slots (e.g. `m`, `v`), one tensor per parameter in each, plus the count of
 * updates applied. Plain data, so it checkpoints and resumes exactly.
 */
export interface OptState {
  readonly t: number;
  readonly slots: Readonly<Record<string, readonly tf.Tensor[]>>;
}

export interface OptimizerDef {
  readonly kind: 'optimizer';
  readonly name: string;
  readonly options: readonly ArgSpec[];
  /**
   * The range checks behind the ArgSpecs (β in [0, 1), eps > 0, …), for the compiler to turn into
   * located diagnostics before lowering; `init` and `step` assume they passed. `lr` and the
   * schedule options are checked for every optimizer by `validateOptimizerOptions`.
   */
  readonly validate: (options: ConstArgs) => Either<string, unknown>;
  readonly init: (params: readonly tf.Tensor[], options: ConstArgs) => OptState;
  /**
   * One update: new parameters and new state from the old ones and the gradients, at learning
   * rate `lr` (already evaluated from the schedule). Inputs are not disposed; outputs are new.
   */
  readonly step: (
    params: readonly tf.Tensor[],
    grads: readonly tf.Tensor[],
    state: OptState,
    lr: number,
    options: ConstArgs,
  ) => { readonly params: readonly tf.Tensor[]; readonly state: OptState };
}

/** Learning rate at update number t (0-based) of a rule that runs `total` updates in all. */
export type LrSchedule = (t: number, total: number) => number;

// ---------------------------------------------------------------------------------------------
// Stateful helpers (running z-score, moving average): the compiler threads their state through
// the step function, so no helper keeps hidden mutable state.
// ---------------------------------------------------------------------------------------------

export interface StatefulFnDef {
  readonly kind: 'stateful';
  readonly name: string;
  readonly options: readonly ArgSpec[];
  /** Initial state, as named tensors (checkpointed with everything else). */
  readonly init: (options: ConstArgs) => Readonly<Record<string, tf.Tensor>>;
  /** Checks the options before any step runs (a message in the user's words when they are wrong). */
  readonly check?: (options: ConstArgs) => Either<string, unknown>;
  /** Said under the message when `check` refuses the options. */
  readonly checkHint?: string;
  /** Value for input `x` (a scalar) and the next state. Inputs are not disposed. */
  readonly apply: (
    state: Readonly<Record<string, tf.Tensor>>,
    x: tf.Tensor,
    options: ConstArgs,
  ) => { readonly value: tf.Tensor; readonly state: Readonly<Record<string, tf.Tensor>> };
}

export type LibraryEntry = LayerDef | FnDef | StatefulFnDef | LoaderDef | TransformDef | OptimizerDef;
