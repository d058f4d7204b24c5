/** Shared plumbing of the optimizers: slot access, leak-free stepping, fresh zero slots. */
import { tf } from '../tf.js';
import type { OptState } from '../types.js';

/** One slot tensor per parameter, named as in PyTorch's optimizer state so checkpoints compare. */
export type Slots = Record<string, tf.Tensor[]>;

export const zeroSlots = (params: readonly tf.Tensor[], names: readonly string[]): OptState['slots'] => {
  const slots: Slots = {};
  for (const n of names) slots[n] = params.map((p) => tf.zerosLike(p));
  return slots;
};

/** A slot the optimizer's own `init` created; a missing one means state and options disagree. */
export const slotAt = (state: OptState, name: string, i: number, optimizer: string): tf.Tensor => {
  const s = state.slots[name]?.[i];
  if (s === undefined) {
    throw new Error(
      `internal error: ${optimizer} state has no slot '${name}' for parameter ${i} (state made with other options?)`,
    );
  }
  return s;
};

/** What one parameter's update produces: its new value and its new slot tensors. */
export interface ParamUpdate {
  readonly p: tf.Tensor;
  readonly slots: Readonly<Record<string, tf.Tensor>>;
}

/**
 * Runs one update inside tf.tidy: every intermediate is released, and only the tensors returned
 * (new parameters and new slots) survive. Inputs are never disposed or written.
 */
export const pureStep = (
  optimizer: string,
  params: readonly tf.Tensor[],
  grads: readonly tf.Tensor[],
  state: OptState,
  update: (p: tf.Tensor, g: tf.Tensor, i: number) => ParamUpdate,
): { readonly params: readonly tf.Tensor[]; readonly state: OptState } => {
  if (params.length !== grads.length) {
    throw new Error(`internal error: ${optimizer} got ${params.length} parameters but ${grads.length} gradients`);
  }
  const inputs = new Set<tf.Tensor>([...params, ...grads, ...Object.values(state.slots).flat()]);
  // An update that hands back one of its inputs (x·1, a no-op branch) would let the caller's
  // disposal of the outputs free the inputs: such results are copied.
  const fresh = (x: tf.Tensor): tf.Tensor => (inputs.has(x) ? x.clone() : x);
  const out = tf.tidy(() => {
    const newParams: tf.Tensor[] = [];
    const newSlots: Slots = {};
    for (const name of Object.keys(state.slots)) newSlots[name] = [];
    params.forEach((p, i) => {
      const g = grads[i] as tf.Tensor;
      if (!tf.util.arraysEqual(p.shape, g.shape)) {
        throw new Error(`internal error: ${optimizer}: parameter ${i} has shape [${p.shape}] but its gradient [${g.shape}]`);
      }
      const r = update(p, g, i);
      newParams.push(fresh(r.p));
      for (const [name, s] of Object.entries(r.slots)) (newSlots[name] ??= []).push(fresh(s));
    });
    return { params: newParams, slots: newSlots };
  });
  return { params: out.params, state: { t: state.t + 1, slots: out.slots } };
};
