/**
 * Whether a tensor's values are known to be finite, recorded by the kernel that wrote them (the
 * fused Adam update checks each value it stores at no extra pass). The run's divergence watch asks
 * here before it reads a parameter back; anything not recorded is checked as before. Keyed by the
 * tensor's storage (its data id), which the engine drops when the tensor is disposed.
 */
const known = new WeakMap<object, boolean>();

export const recordFinite = (dataId: object, finite: boolean): void => {
  known.set(dataId, finite);
};

/** true: every value was finite when written; false: some was not; undefined: not recorded. */
export const knownFinite = (dataId: object): boolean | undefined => known.get(dataId);
