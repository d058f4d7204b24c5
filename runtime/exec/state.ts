/** Tensor bookkeeping over run states; copying a member (PBT exploit) is the runtime's own. */
import * as tf from '@tensorflow/tfjs-core';
import type { OptState } from '../../stdlib/types.js';
import type { RunState } from '../../compiler/lower/types.js';

export { disposeState, releaseOld, stateTensors } from '../../compiler/lower/release.js';

const cloneOpt = (o: OptState): OptState => ({
  t: o.t,
  slots: Object.fromEntries(Object.entries(o.slots).map(([k, v]) => [k, v.map((x) => tf.clone(x))])),
});

/** A deep copy with fresh tensors, so the copy and the original can be released independently. */
export const cloneState = (s: RunState): RunState => ({
  step: s.step,
  params: Object.fromEntries(Object.entries(s.params).map(([k, v]) => [k, tf.clone(v)])),
  opt: Object.fromEntries(Object.entries(s.opt).map(([k, v]) => [k, cloneOpt(v)])),
  helpers: Object.fromEntries(
    Object.entries(s.helpers).map(([k, h]) => [k, Object.fromEntries(Object.entries(h).map(([n, v]) => [n, tf.clone(v)]))]),
  ),
});
