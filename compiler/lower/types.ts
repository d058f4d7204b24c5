/**
 * What lowering produces and the runtime executes: pure step functions over TensorFlow.js tensors.
 *
 * Ownership convention (this is what keeps memory flat): a step function never disposes or
 * mutates its inputs. It returns a new state; tensors it did not change are shared by identity
 * with the old state. The runtime, after a step, disposes every tensor of the old state that is not
 * also in the new one (`releaseOld` in the runtime). Batches belong to the runtime.
 */
import type * as tf from '@tensorflow/tfjs-core';
import type { OptState } from '../../stdlib/types.js';
import type { IRDuration, IRProgram, IRRule } from '../ir.js';

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
  readonly needs: readonly BatchNeed[];
  readonly step: StepFn;
  /** The rule's loss on the given batches at `state`, without updating (for logging). */
  readonly lossValue: (state: RunState, batches: Batches, key: number) => number;
}

/** A value that is observed (a metric, a loss for the log, a report item). */
export interface LoweredObservable {
  readonly name: string;
  readonly needs: readonly BatchNeed[];
  /** Its value, and the state with stateful helpers advanced (other parts shared). */
  readonly evaluate: (state: RunState, batches: Batches, key: number) => { readonly value: number; readonly state: RunState };
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
}
