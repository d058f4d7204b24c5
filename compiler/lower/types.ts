/**
 * What lowering produces and the runtime executes: pure step functions over TensorFlow.js tensors.
 *
 * Ownership convention (this is what keeps memory flat): a step function never disposes or
 * mutates its inputs. It returns a new state; tensors it did not change are shared by identity
 * with the old state. The runtime, after a step, disposes every tensor of the old state that is not
 * also in the new one (`releaseOld` in the runtime). Batches belong to the runtime.
 */
import type { Clock } from './clock.js';
import type * as tf from '@tensorflow/tfjs-core';
import type { ConstArgs, OptState } from '../../stdlib/types.js';
import type { IRDuration, IRProgram, IRRule } from '../ir.js';
import type { NonFiniteOrigin } from './nonfinite.js';

export interface RunState {
  /** Updates applied so far (the global step counter). */
  readonly step: number;
  /** Parameter path → value. */
  readonly params: Readonly<Record<string, tf.Tensor>>;
  /** Rule name → its optimizer state. */
  readonly opt: Readonly<Record<string, OptState>>;
  /** Stateful helper key (`IRExpr.stateKey`) → its state tensors. */
  readonly helpers: Readonly<Record<string, Readonly<Record<string, tf.Tensor>>>>;
}

/** One split's mini-batch: field name → tensor `[b, ...]`. */
export type Batch = Readonly<Record<string, tf.Tensor>>;
/** Batches keyed by `${data}.${split}` (see `batchKey`). */
export type Batches = Readonly<Record<string, Batch>>;

export const batchKey = (data: string, split: string): string => `${data}.${split}`;

/** What a rule or metric needs from the data: which splits, and how many examples of each. */
export interface BatchNeed {
  readonly data: string;
  readonly split: string;
  /** Examples per batch; `'all'` for a metric evaluated over the whole split. */
  readonly batch: number | 'all';
}

/**
 * A step function: `(state, batches, key) => state`. `key` is the random key of this step (a
 * 32-bit integer derived from the run seed, the step and the rule), so a run is reproducible and
 * a resumed run draws the same noise as an uninterrupted one.
 */
export type StepFn = (state: RunState, batches: Batches, key: number) => RunState;

export interface LoweredRule {
  readonly name: string;
  readonly ir: IRRule;
  /** The optimizer's options for this member (sweep-dependent ones bound). */
  readonly options: ConstArgs;
  readonly needs: readonly BatchNeed[];
  readonly step: StepFn;
  /** The rule's loss on the given batches at `state`, without updating (for logging). */
  readonly lossValue: (state: RunState, batches: Batches, key: number) => number;
}

/** A value that is observed (a metric, a loss for the log, a report item). */
/** An observable's value at a state. */
export interface Observed {
  readonly value: number;
  readonly state: RunState;
  /** Whether it drew on the key (noise, a sample): false says any key gives the same value; absent, it may have. */
  readonly random?: boolean;
}

export interface LoweredObservable {
  readonly name: string;
  readonly needs: readonly BatchNeed[];
  /** Its value, and the state with stateful helpers advanced (other parts shared). */
  readonly evaluate: (state: RunState, batches: Batches, key: number) => Observed;
  /** The same, read back asynchronously: a GPU backend under Node (webgpu) has no synchronous read. */
  readonly evaluateAsync: (state: RunState, batches: Batches, key: number) => Promise<Observed>;
  /**
   * The first expression whose value is not finite, evaluated as `evaluate` would (a loss that came
   * out NaN or ±Infinity: where it came from). Losses and metrics have it; it costs nothing until called.
   */
  readonly firstNonFinite?: (state: RunState, batches: Batches, key: number) => Promise<NonFiniteOrigin | undefined>;
}

export interface LoweredPhase {
  readonly name: string;
  readonly length?: IRDuration;
  readonly rules: readonly LoweredRule[];
}

export interface LoweredProgram {
  /** The program as lowered: for an ensemble, the unrolled one (no `ensemble`; see `members`). */
  readonly ir: IRProgram;
  /**
   * Ensemble size when the program had an ensemble. Lowering unrolls it into one program: member
   * i's parameters are `m<i>.<path>`, its rules `<rule>@m<i>`, its per-member observables
   * `<name>@m<i>`, and `alias(e)` is the average over members; the runtime runs it as one model.
   */
  readonly members?: number;
  /** Fresh state: parameters drawn from their initializers with `seed`, optimizer states, helper states. */
  readonly init: (seed: number) => RunState;
  /** Rules that run in every step (no phases) — in program order. */
  readonly rules: readonly LoweredRule[];
  readonly phases: readonly LoweredPhase[];
  readonly losses: readonly LoweredObservable[];
  readonly metrics: readonly LoweredObservable[];
  readonly reports: readonly LoweredObservable[];
  /** The program's `figure`s, in program order, as what the runtime logs or evaluates for them. */
  readonly figures: readonly LoweredFigure[];
}

/**
 * A declared `figure`. Series figures (`lines`, `scatter`) are drawn by `xreg plot` from
 * metrics.jsonl: the runtime logs every name in `series` at each report, evaluating `observables`
 * for the ones the figure itself defines. A `reliability` figure is drawn from the final model's
 * predictions (`predictions`), once, at the end of a run.
 *
 * Series names:
 * - a logged name the figure names (a loss, metric or report item: `lines(fit, gen)`) as itself;
 * - a parameter (a selection `noise_scales(net)`, a name `rho`, a model `net`), one series per
 *   parameter, labelled by its path (`net.noisy_block1.noise.log_sigma`); a parameter of 2 to
 *   `ELEMENT_SERIES_MAX` elements one per element, `path[i]` (flat index: `hv[0]` … `hv[4]`), a
 *   larger one by its Euclidean norm, `norm(path)`;
 * - an elementwise function of parameters (`exp(noise_scales(net))`, σ of the noise layers) one
 *   series per element as above, labelled `exp(path)`, `exp(path[i])`, `norm(exp(path))`;
 * - in an unrolled ensemble, a replicated parameter one series per member (`m0.path`, `m1.path`, …);
 * - any other scalar argument (data allowed: it is evaluated over whole splits like a metric) under
 *   the figure's name when it is the figure's only argument, else `<figure>.arg<k>` (k from 1 among
 *   the non-name arguments); a small data-free vector per element, `<label>[i]`.
 */
export interface LoweredFigure {
  readonly name: string;
  /** `lines`, `scatter`, `reliability` (`IRFigure.kind`). */
  readonly kind: string;
  /** Every logged name the chart draws, in order (empty for `reliability`). */
  readonly series: readonly string[];
  /**
   * The series among `series` that no loss, metric or report item provides, one observable per
   * name (`observable.name` is the series name); parameter series have no `needs`.
   */
  readonly observables: readonly LoweredObservable[];
  /** For `reliability`: the predictions to bin; absent for other kinds or when it cannot be drawn (see `notes`). */
  readonly predictions?: LoweredPredictions;
  /** Why part or all of the figure cannot be drawn (an argument that is not a scalar, an unknown name); empty when all is well. */
  readonly notes: readonly string[];
}

/** Per-example predictions of a `reliability(probabilities, labels)` figure. */
export interface LoweredPredictions {
  /** The whole splits it reads (`batch: 'all'`). */
  readonly needs: readonly BatchNeed[];
  /**
   * `probs` row-major `[n, classes]` class probabilities; `labels` `n` class indices or `n·classes`
   * one-hot rows, as the program's labels are. Randomness (an MC average) is drawn from `key` like
   * an observable's; stateful helpers are read, not advanced.
   */
  readonly evaluate: (
    state: RunState,
    batches: Batches,
    key: number,
  ) => Promise<{ readonly probs: ArrayLike<number>; readonly classes: number; readonly labels: ArrayLike<number> }>;
}

/** Choices lowering cannot make from the IR alone. */
export interface LowerOptions {
  /**
   * Values of the `sweep` variables for the member being lowered (`{ lambda: 0.1 }`): a sweep
   * runs one lowering per member, and a program reading a sweep variable lowers only with its value.
   */
  readonly sweep?: Readonly<Record<string, number>>;
  /**
   * Steps per epoch, known once the data is loaded; it sets the horizon (`total`) of learning-rate
   * schedules of rules whose window is in epochs. Without it such a horizon is unbounded.
   */
  readonly stepsPerEpoch?: number;
  /** The run's clock when its epochs differ in length (a growing training split); it wins over `stepsPerEpoch`. */
  readonly clock?: Clock;
}
